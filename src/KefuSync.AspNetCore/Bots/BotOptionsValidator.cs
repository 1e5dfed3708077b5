using Microsoft.Extensions.Options;

namespace KefuSync.Bots;

/// <summary>Checks <see cref="KefuBotOptions"/> at startup, naming the option to fix.</summary>
internal sealed class BotOptionsValidator : IValidateOptions<KefuBotOptions>
{
    public ValidateOptionsResult Validate(string? name, KefuBotOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(options.Name) || options.Name.Length > 32 || !options.Name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-'))
        {
            errors.Add("KefuBotOptions.Name must be 1-32 characters of [a-z0-9_-] (the bot's id is bot:NAME).");
        }

        if (string.IsNullOrWhiteSpace(options.DisplayName) || options.DisplayName.Length > 64)
        {
            errors.Add("KefuBotOptions.DisplayName must be 1-64 characters.");
        }

        if (options.HistoryMessages is < 1 or > 200)
        {
            errors.Add("KefuBotOptions.HistoryMessages must be between 1 and 200.");
        }

        if (options.LeaseDuration < TimeSpan.FromSeconds(3))
        {
            errors.Add("KefuBotOptions.LeaseDuration must be at least 3 seconds.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > options.LeaseDuration / 3)
        {
            errors.Add("KefuBotOptions.Timeout must be positive and at most a third of LeaseDuration (a turn must end before another node may take over).");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            errors.Add("KefuBotOptions.PollInterval must be positive.");
        }

        if (options.HumanKeywords is null || options.HumanKeywords.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add("KefuBotOptions.HumanKeywords must not contain empty entries.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
