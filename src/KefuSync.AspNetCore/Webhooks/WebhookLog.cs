using System.Text.Json;
using KefuSync.Protocol;

namespace KefuSync.Webhooks;

/// <summary>
/// An endpoint's delivery state: the fold of its server-written <c>webhook:NAME</c> log (docs/webhooks.md §5). No client
/// can read or write it (<c>webhook</c> is no channel kind of docs/protocol.md §3). It lives in the op store like every
/// channel, so every store supports it, and the store's rule that an append succeeds only at the expected revision makes
/// each record a compare-and-swap: a lease is taken by one node, and a node that lost its lease cannot write a cursor.
/// </summary>
/// <remarks>
/// Records (<c>k</c>): <c>start</c> {at, inbox} (revision 1: events committed before it are not sent); <c>lease</c>
/// {node, until} (taken or renewed); <c>release</c> {node}; <c>pause</c> {at}; <c>resume</c> {at}. <c>lease</c>,
/// <c>release</c> and <c>pause</c> also carry the holder's progress: <c>inbox</c> (the inbox revision every conversation
/// it named is delivered up to), <c>c</c> {conversation key: last revision delivered}, <c>delivered</c> (total),
/// <c>last</c> (Unix ms of the last delivery) and <c>f</c> (failed attempts since the previous record).
/// </remarks>
internal sealed class WebhookLog(string name)
{
    public const int MaxFailures = 20;

    public string Name { get; } = name;

    public string Channel => ChannelOf(Name);

    public long Head { get; private set; }

    public long StartAt { get; private set; }

    public long Inbox { get; set; }

    public Dictionary<string, long> Conversations { get; } = new(StringComparer.Ordinal);

    public string? LeaseNode { get; private set; }

    public long LeaseUntil { get; private set; }

    public bool Paused { get; private set; }

    public long Delivered { get; set; }

    public long LastDeliveredAt { get; set; }

    public List<KefuWebhookFailure> Failures { get; } = [];

    public static string ChannelOf(string name) => "webhook:" + name;

    /// <summary>The node that holds the lease at <paramref name="now"/> (Unix ms), or null.</summary>
    public string? HolderAt(long now) => LeaseNode is not null && LeaseUntil > now ? LeaseNode : null;

    /// <summary>Applies the record at <paramref name="revision"/>; one it cannot read moves only the head.</summary>
    public void Apply(long revision, ReadOnlySpan<byte> payload)
    {
        Head = revision;
        try
        {
            using var json = JsonDocument.Parse(payload.ToArray());
            var op = json.RootElement;
            switch (op.GetProperty("k").GetString())
            {
                case "start":
                    StartAt = op.GetProperty("at").GetInt64();
                    Inbox = Math.Max(Inbox, op.GetProperty("inbox").GetInt64());
                    break;
                case "lease":
                    Progress(op);
                    LeaseNode = op.GetProperty("node").GetString();
                    LeaseUntil = op.GetProperty("until").GetInt64();
                    break;
                case "release":
                    Progress(op);
                    if (LeaseNode == op.GetProperty("node").GetString())
                    {
                        (LeaseNode, LeaseUntil) = (null, 0);
                    }

                    break;
                case "pause":
                    Progress(op);
                    Paused = true;
                    (LeaseNode, LeaseUntil) = (null, 0);
                    break;
                case "resume":
                    Paused = false;
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // Not one of ours (or from a newer version): skip it, the head still moves.
        }
    }

    private void Progress(JsonElement op)
    {
        if (op.TryGetProperty("inbox", out var inbox))
        {
            Inbox = Math.Max(Inbox, inbox.GetInt64());
        }

        if (op.TryGetProperty("c", out var cursors))
        {
            foreach (var cursor in cursors.EnumerateObject())
            {
                Conversations[cursor.Name] = Math.Max(Conversations.GetValueOrDefault(cursor.Name), cursor.Value.GetInt64());
            }
        }

        if (op.TryGetProperty("delivered", out var delivered))
        {
            Delivered = Math.Max(Delivered, delivered.GetInt64());
        }

        if (op.TryGetProperty("last", out var last))
        {
            LastDeliveredAt = Math.Max(LastDeliveredAt, last.GetInt64());
        }

        if (op.TryGetProperty("f", out var failures))
        {
            foreach (var f in failures.EnumerateArray())
            {
                AddFailure(new KefuWebhookFailure
                {
                    At = DateTimeOffset.FromUnixTimeMilliseconds(f.GetProperty("at").GetInt64()),
                    EventId = f.GetProperty("id").GetString() ?? "",
                    Attempt = f.GetProperty("n").GetInt32(),
                    StatusCode = f.TryGetProperty("status", out var status) ? status.GetInt32() : null,
                    Error = f.GetProperty("error").GetString() ?? "",
                });
            }
        }
    }

    public void AddFailure(KefuWebhookFailure failure)
    {
        Failures.Add(failure);
        if (Failures.Count > MaxFailures)
        {
            Failures.RemoveRange(0, Failures.Count - MaxFailures);
        }
    }

    /// <summary>
    /// The fold as a snapshot (<see cref="Stores.ISnapshotStore"/>): the log is trimmed behind it, so it does not grow
    /// with every lease renewal forever and a node starting reads one snapshot and a few records.
    /// </summary>
    public byte[] ToSnapshot() => JsonRecord.Write(w =>
    {
        w.WriteNumber("at", StartAt);
        w.WriteNumber("inbox", Inbox);
        w.WriteStartObject("c");
        foreach (var (key, revision) in Conversations)
        {
            w.WriteNumber(key, revision);
        }

        w.WriteEndObject();
        if (LeaseNode is not null)
        {
            w.WriteString("node", LeaseNode);
            w.WriteNumber("until", LeaseUntil);
        }

        w.WriteBoolean("paused", Paused);
        w.WriteNumber("delivered", Delivered);
        w.WriteNumber("last", LastDeliveredAt);
        WriteFailures(w, Failures);
    });

    /// <summary>
    /// Takes a snapshot at <paramref name="revision"/> when it is ahead of this fold (the records between were trimmed).
    /// Progress merges by maximum, so what this node delivered and did not record yet is kept.
    /// </summary>
    public void Restore(long revision, ReadOnlySpan<byte> state)
    {
        if (revision <= Head)
        {
            return;
        }

        using var json = JsonDocument.Parse(state.ToArray());
        var root = json.RootElement;
        Head = revision;
        StartAt = root.GetProperty("at").GetInt64();
        Paused = root.GetProperty("paused").GetBoolean();
        (LeaseNode, LeaseUntil) = root.TryGetProperty("node", out var node) ? (node.GetString(), root.GetProperty("until").GetInt64()) : (null, 0);
        Failures.Clear();
        Progress(root);
    }

    public static byte[] Start(long at, long inbox) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "start");
        w.WriteNumber("at", at);
        w.WriteNumber("inbox", inbox);
    });

    public static byte[] Resume(long at) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "resume");
        w.WriteNumber("at", at);
    });

    /// <summary>A <c>lease</c>, <c>release</c> or <c>pause</c> record with the holder's progress.</summary>
    public static byte[] Record(string kind, string node, long until, long? inbox, IReadOnlyDictionary<string, long> cursors, long delivered, long last, IReadOnlyList<KefuWebhookFailure> failures) => JsonRecord.Write(w =>
    {
        w.WriteString("k", kind);
        w.WriteString("node", node);
        w.WriteNumber("until", until);
        if (inbox is { } i)
        {
            w.WriteNumber("inbox", i);
        }

        if (cursors.Count > 0)
        {
            w.WriteStartObject("c");
            foreach (var (key, revision) in cursors)
            {
                w.WriteNumber(key, revision);
            }

            w.WriteEndObject();
        }

        w.WriteNumber("delivered", delivered);
        w.WriteNumber("last", last);
        WriteFailures(w, failures);
    });

    private static void WriteFailures(Utf8JsonWriter w, IReadOnlyList<KefuWebhookFailure> failures)
    {
        if (failures.Count > 0)
        {
            w.WriteStartArray("f");
            foreach (var f in failures)
            {
                w.WriteStartObject();
                w.WriteNumber("at", f.At.ToUnixTimeMilliseconds());
                w.WriteString("id", f.EventId);
                w.WriteNumber("n", f.Attempt);
                if (f.StatusCode is { } status)
                {
                    w.WriteNumber("status", status);
                }

                w.WriteString("error", f.Error);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

}
