using System.Security.Cryptography;
using System.Text;
using KefuSync.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.RestApi;

/// <summary>
/// Turns an <c>Authorization: Bearer KEY</c> header into the key's principal and scopes: a key of the options
/// (<see cref="KefuApiOptions.Keys"/>) or one created in the console (<see cref="ApiKeyDirectory"/>).
/// </summary>
internal sealed partial class ApiKeys(IOptionsMonitor<KefuSyncOptions> options, ApiKeyDirectory directory, ILogger<ApiKeys> logger)
{
    public enum Outcome
    {
        /// <summary>No key exists anywhere: the API is off and answers 404.</summary>
        Off,

        /// <summary>A missing, malformed, unknown or revoked key.</summary>
        Refused,

        /// <summary>The console's keys cannot be read, and the key is none of the options'.</summary>
        StoreUnavailable,

        Admitted,
    }

    public readonly record struct Caller(KefuPrincipal Principal, IReadOnlyList<string> Scopes);

    /// <summary>Whether any key exists (the API and its document are on); a store that cannot be read counts the options alone.</summary>
    public async Task<bool> EnabledAsync(CancellationToken cancellationToken)
    {
        if (options.CurrentValue.Api.Keys.Count > 0)
        {
            return true;
        }

        try
        {
            return (await directory.ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.KeysUnreadable(logger, ex);
            return false;
        }
    }

    public async Task<(Outcome Outcome, Caller Caller)> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var configured = options.CurrentValue.Api.Keys;
        IReadOnlyList<StoredApiKey>? stored;
        try
        {
            stored = await directory.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The options' keys still work; a key that is none of them cannot be told valid or revoked.
            Log.KeysUnreadable(logger, ex);
            stored = null;
        }

        if (configured.Count == 0 && stored is { Count: 0 })
        {
            return (Outcome.Off, default);
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (Outcome.Refused, default);
        }

        // Hashing both sides gives equal lengths, so FixedTimeEquals compares in constant time and the length of a key
        // leaks nothing; every key is compared, so which one matched does not show in the time either.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()));
        KefuApiKey? match = null;
        foreach (var key in configured)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(key.Key))))
            {
                match = key;
            }
        }

        if (match is not null)
        {
            var scopes = match.Scopes is { Count: > 0 } listed ? [.. listed] : KefuApiScopes.All;
            return (Outcome.Admitted, new Caller(Principal(match.Role, match.Name, match.DisplayName), scopes));
        }

        if (stored is null)
        {
            return (Outcome.StoreUnavailable, default);
        }

        return ApiKeyDirectory.Match(stored, presented) is { } console
            ? (Outcome.Admitted, new Caller(Principal(console.Role, console.Name, console.DisplayName), console.Scopes))
            : (Outcome.Refused, default);
    }

    private static KefuPrincipal Principal(string role, string name, string? displayName)
        => new(role + ":" + name, string.IsNullOrWhiteSpace(displayName) ? name : displayName.Trim(), role == "agent" ? PrincipalRole.Agent : PrincipalRole.Bot, ConversationKey: null, Visitor: null);

    private static partial class Log
    {
        [LoggerMessage(EventId = 2701, EventName = "ApiKeysUnreadable", Level = LogLevel.Warning, Message = "The API keys created in the console could not be read from the store; only the options' keys are admitted until it answers.")]
        public static partial void KeysUnreadable(ILogger logger, Exception exception);
    }
}
