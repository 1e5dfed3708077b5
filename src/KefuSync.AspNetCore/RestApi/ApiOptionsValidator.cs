using Microsoft.Extensions.Options;

namespace KefuSync.RestApi;

/// <summary>Validates <see cref="KefuSyncOptions.Api"/> at startup; every message names the setting as in configuration.</summary>
internal sealed class ApiOptionsValidator : IValidateOptions<KefuSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, KefuSyncOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Api.Keys.Count; i++)
        {
            var key = options.Api.Keys[i];
            var at = $"KefuSync:Api:Keys:{i}";
            if (key is null)
            {
                errors.Add($"{at} is empty.");
                continue;
            }

            // The name becomes the principal id (agent:NAME, bot:NAME): the protocol's assign rule allows 80 characters.
            if (string.IsNullOrEmpty(key.Name) || key.Name.Length > 64 || !key.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                errors.Add($"{at}:Name must be 1 to 64 characters of letters, digits, '-', '_' or '.' (got '{key.Name}').");
            }
            else if (!names.Add(key.Name))
            {
                errors.Add($"{at}:Name '{key.Name}' is used by another key.");
            }

            // A short key can be guessed; 32 characters is 192 bits of base64.
            if (string.IsNullOrEmpty(key.Key) || key.Key.Length < 32 || key.Key.Any(char.IsWhiteSpace))
            {
                errors.Add($"{at}:Key must be at least 32 characters without spaces.");
            }
            else if (!secrets.Add(key.Key))
            {
                errors.Add($"{at}:Key is the same as another key's.");
            }

            if (key.Role is not ("agent" or "bot"))
            {
                errors.Add($"{at}:Role must be agent or bot (got '{key.Role}').");
            }

            foreach (var scope in key.Scopes ?? [])
            {
                if (!KefuApiScopes.All.Contains(scope))
                {
                    errors.Add($"{at}:Scopes: '{scope}' is not a scope; the scopes are {string.Join(", ", KefuApiScopes.All)}.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
