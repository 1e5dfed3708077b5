using System.Security.Cryptography;
using System.Text.Json;
using KefuSync.Leasing;
using KefuSync.Protocol;
using KefuSync.Stores;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace KefuSync.Webhooks;

/// <summary>
/// The webhook endpoints added in the console: the fold of the server-written <c>webhooks:console</c> log (records
/// <c>add</c> {name, url, events, secret (Data Protection), by} and <c>remove</c> {name, by}; docs/webhooks.md §1). Every
/// node reads it (<see cref="WebhookDeliveryService"/> starts and stops their runners from it), and the node that makes
/// a change says so at once (<see cref="Changed"/>).
/// </summary>
internal sealed class ConsoleWebhookDirectory(IOpStore store, TimeProvider time, IDataProtectionProvider protection, IOptionsMonitor<KefuSyncOptions> options)
{
    public const string Channel = "webhooks:console";

    private readonly IDataProtector _protector = protection.CreateProtector("KefuSync.Webhooks.ConsoleSecret.v1");
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServerLog<ConsoleWebhook>? _log;

    private ServerLog<ConsoleWebhook> Log => _log ??= new ServerLog<ConsoleWebhook>(store, Channel, Apply);

    /// <summary>Completes at the next change this node made (a later one gets a new task).</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Every endpoint added in the console, removed ones too, oldest first. Throws when the store cannot be read.</summary>
    public async Task<IReadOnlyList<ConsoleWebhook>> ListAsync(CancellationToken cancellationToken)
        => (await Log.ReadAsync(cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Adds an endpoint with a new signing secret, returned here once. A refusal says why, for the admin.</summary>
    public async Task<(ConsoleWebhook? Webhook, string? Secret, string? Refusal)> AddAsync(string? name, string? url, IReadOnlyList<string>? events, string by, CancellationToken cancellationToken)
    {
        var secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var endpoint = new KefuWebhookOptions { Name = name ?? "", Url = url?.Trim() ?? "", Secret = secret, Events = [.. events ?? []] };
        var errors = new List<string>();
        WebhookOptionsValidator.EndpointErrors(errors, endpoint, "");
        if (errors.Count > 0)
        {
            // The messages name the setting after a ':' ("…:Url must be …"); here there is no setting, only the field.
            return (null, null, string.Join(" ", errors.Select(e => e.TrimStart(':'))));
        }

        if (options.CurrentValue.Webhooks.Endpoints.Any(e => e.Name == endpoint.Name))
        {
            return (null, null, $"The name '{endpoint.Name}' is an endpoint in the options (KefuSync:Webhooks:Endpoints).");
        }

        var payload = JsonRecord.Write(w =>
        {
            w.WriteString("k"u8, "add"u8);
            w.WriteString("name"u8, endpoint.Name);
            w.WriteString("url"u8, endpoint.Url);
            w.WriteStartArray("events"u8);
            foreach (var type in endpoint.Events)
            {
                w.WriteStringValue(type);
            }

            w.WriteEndArray();
            w.WriteString("secret"u8, _protector.Protect(secret));
            w.WriteString("by"u8, by);
        });

        // A name is never used twice: its delivery state (cursor, lease, pause) lives under webhook:NAME, and a second
        // endpoint of the name would resume the first one's cursor.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var fold = await Log.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (fold.Items.Any(w => w.Name == endpoint.Name))
            {
                return (null, null, $"The name '{endpoint.Name}' is taken (names are never reused, even after a removal).");
            }

            if (await Log.AppendAsync(fold.Head, "add:" + endpoint.Name, by, time.GetUtcNow(), payload, cancellationToken).ConfigureAwait(false))
            {
                Pulse();
                return ((await ListAsync(cancellationToken).ConfigureAwait(false)).Single(w => w.Name == endpoint.Name), secret, null);
            }
        }

        return (null, null, "Other admins kept changing the endpoints; try again.");
    }

    /// <summary>Removes an endpoint added in the console: false when there is none of that name or it was removed already.</summary>
    public async Task<bool> RemoveAsync(string name, string by, CancellationToken cancellationToken)
    {
        var payload = JsonRecord.Write(w =>
        {
            w.WriteString("k"u8, "remove"u8);
            w.WriteString("name"u8, name);
            w.WriteString("by"u8, by);
        });
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var fold = await Log.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (fold.Items.FirstOrDefault(w => w.Name == name) is not { Removed: false })
            {
                return false;
            }

            if (await Log.AppendAsync(fold.Head, "remove:" + name, by, time.GetUtcNow(), payload, cancellationToken).ConfigureAwait(false))
            {
                Pulse();
                return true;
            }
        }

        return false;
    }

    private void Pulse() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void Apply(List<ConsoleWebhook> items, string? kind, JsonElement record, OpRecord op)
    {
        var name = record.GetProperty("name").GetString()!;
        var index = items.FindIndex(w => w.Name == name);
        switch (kind)
        {
            case "add" when index < 0:
                var url = record.GetProperty("url").GetString()!;
                List<string> events = [.. record.GetProperty("events").EnumerateArray().Select(e => e.GetString()!)];
                KefuWebhookOptions? endpoint;
                try
                {
                    endpoint = new KefuWebhookOptions { Name = name, Url = url, Events = events, Secret = _protector.Unprotect(record.GetProperty("secret").GetString()!) };
                }
                catch (CryptographicException)
                {
                    endpoint = null; // another key ring: listed, not delivered from here (WebhookDeliveryService logs it)
                }

                items.Add(new ConsoleWebhook(name, url, events, endpoint, record.GetProperty("by").GetString()!, op.Timestamp));
                break;
            case "remove" when index >= 0 && !items[index].Removed:
                items[index] = items[index] with { RemovedAt = op.Timestamp, RemovedBy = record.GetProperty("by").GetString() };
                break;
        }
    }
}
