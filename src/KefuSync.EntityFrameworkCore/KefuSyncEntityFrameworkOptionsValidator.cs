using Microsoft.Extensions.Options;

namespace KefuSync.EntityFrameworkCore;

/// <summary>Checks <see cref="KefuSyncEntityFrameworkOptions"/> at startup.</summary>
internal sealed class KefuSyncEntityFrameworkOptionsValidator : IValidateOptions<KefuSyncEntityFrameworkOptions>
{
    public ValidateOptionsResult Validate(string? name, KefuSyncEntityFrameworkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Polly's timeout strategy accepts 10 ms to 1 day.
        if (options.OperationTimeout < TimeSpan.FromMilliseconds(50) || options.OperationTimeout > TimeSpan.FromMinutes(10))
        {
            return ValidateOptionsResult.Fail(
                $"KefuSyncEntityFrameworkOptions.OperationTimeout is {options.OperationTimeout}: set it between 50 ms and 10 minutes.");
        }

        return ValidateOptionsResult.Success;
    }
}
