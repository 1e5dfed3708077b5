using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KefuSync.Leasing;
using KefuSync.Protocol;
using KefuSync.Stores;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace KefuSync.RestApi;

/// <summary>
/// The API keys created in the console: the fold of the server-written <c>apikeys:console</c> log (records
/// <c>create</c> and <c>revoke</c>, docs/rest-api.md "Keys created in the console"). Every lookup reads the log's head
/// from the store (<see cref="ServerLog{T}"/>), so a revoke answered on one node refuses the key on every node from then on.
/// </summary>
internal sealed class ApiKeyDirectory(IOpStore store, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options)
{
    public const string Channel = "apikeys:console";

    // A secret is this prefix and 32 random bytes in base64url: 256 bits, so SHA-256 of it needs no salt or stretching
    // (those slow down guessing a low-entropy password; nobody guesses 2^256), and every request can afford the hash.
    private const string SecretPrefix = "kfs_";
    private const int HintLength = 8;

    private readonly ServerLog<StoredApiKey> _log = new(store, Channel, Apply);

    /// <summary>Every key created in the console, revoked ones too, oldest first. Throws when the store cannot be read.</summary>
    public async Task<IReadOnlyList<StoredApiKey>> ListAsync(CancellationToken cancellationToken)
        => (await _log.ReadAsync(cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>The active key whose secret hashes to <paramref name="hash"/>, comparing with every key in constant time.</summary>
    public static StoredApiKey? Match(IReadOnlyList<StoredApiKey> keys, ReadOnlySpan<byte> hash)
    {
        StoredApiKey? match = null;
        foreach (var key in keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash) && !key.Revoked)
            {
                match = key;
            }
        }

        return match;
    }

    /// <summary>Creates a key; the secret is returned here once and never stored. A refusal says why, for the admin.</summary>
    public async Task<(StoredApiKey? Key, string? Secret, string? Refusal)> CreateAsync(string? name, string? role, string? displayName, IReadOnlyList<string>? scopes, string by, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return (null, null, "A name is 1 to 64 characters of letters, digits, '-', '_' or '.'.");
        }

        if (role is not ("agent" or "bot"))
        {
            return (null, null, "The role is agent or bot.");
        }

        if (scopes is null || scopes.Count == 0 || scopes.Any(s => !KefuApiScopes.All.Contains(s)))
        {
            return (null, null, $"Choose one or more scopes of {string.Join(", ", KefuApiScopes.All)}.");
        }

        displayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim();
        if (displayName is { Length: > 80 })
        {
            return (null, null, "A display name is at most 80 characters.");
        }

        if (options.CurrentValue.Api.Keys.Any(k => k.Name == name))
        {
            return (null, null, $"The name '{name}' is a key in the options (KefuSync:Api:Keys).");
        }

        var secret = SecretPrefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var ordered = KefuApiScopes.All.Where(scopes.Contains).ToList();
        var payload = JsonRecord.Write(w =>
        {
            w.WriteString("k"u8, "create"u8);
            w.WriteString("name"u8, name);
            w.WriteString("role"u8, role);
            if (displayName is not null)
            {
                w.WriteString("display"u8, displayName);
            }

            w.WriteStartArray("scopes"u8);
            foreach (var scope in ordered)
            {
                w.WriteStringValue(scope);
            }

            w.WriteEndArray();
            w.WriteBase64String("hash"u8, hash);
            w.WriteString("hint"u8, secret[..HintLength]);
            w.WriteString("by"u8, by);
        });

        // A name is never used twice, revoked or not: the principal id agent:NAME or bot:NAME on old messages must keep
        // meaning the one key that wrote them. The append at the head read makes the check and the write one step.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var fold = await _log.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (fold.Items.Any(k => k.Name == name))
            {
                return (null, null, $"The name '{name}' is taken (names are never reused, even after a revoke).");
            }

            if (await _log.AppendAsync(fold.Head, "create:" + name, by, time.GetUtcNow(), payload, cancellationToken).ConfigureAwait(false))
            {
                var created = (await ListAsync(cancellationToken).ConfigureAwait(false)).Single(k => k.Name == name);
                return (created, secret, null);
            }
        }

        return (null, null, "Other admins kept changing the keys; try again.");
    }

    /// <summary>Revokes a console key: false when there is none of that name or it was revoked already.</summary>
    public async Task<bool> RevokeAsync(string name, string by, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var fold = await _log.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (fold.Items.FirstOrDefault(k => k.Name == name) is not { Revoked: false })
            {
                return false;
            }

            var payload = JsonRecord.Write(w =>
            {
                w.WriteString("k"u8, "revoke"u8);
                w.WriteString("name"u8, name);
                w.WriteString("by"u8, by);
            });
            if (await _log.AppendAsync(fold.Head, "revoke:" + name, by, time.GetUtcNow(), payload, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private static void Apply(List<StoredApiKey> keys, string? kind, JsonElement record, OpRecord op)
    {
        var at = op.Timestamp;
        var name = record.GetProperty("name").GetString()!;
        var index = keys.FindIndex(k => k.Name == name);
        switch (kind)
        {
            case "create" when index < 0:
                keys.Add(new StoredApiKey(
                    name,
                    record.GetProperty("role").GetString()!,
                    record.TryGetProperty("display", out var display) ? display.GetString() : null,
                    [.. record.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!)],
                    record.GetProperty("hash").GetBytesFromBase64(),
                    record.GetProperty("hint").GetString()!,
                    record.GetProperty("by").GetString()!,
                    at));
                break;
            case "revoke" when index >= 0 && !keys[index].Revoked:
                keys[index] = keys[index] with { RevokedAt = at, RevokedBy = record.GetProperty("by").GetString() };
                break;
        }
    }
}
