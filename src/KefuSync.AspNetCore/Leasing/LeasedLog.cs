using System.Text.Json;
using KefuSync.Protocol;

namespace KefuSync.Leasing;

/// <summary>
/// The progress and lease of one of the server's inbox readers (the bot, each webhook endpoint): the fold of its
/// server-written log (<c>bot:NAME</c>, <c>webhook:NAME</c>; no client can read or write either, they are no channel
/// kind of docs/protocol.md §3). The log lives in the op store like every channel, so every store supports it, and the
/// store's rule that an append succeeds only at the expected revision makes each record a compare-and-swap: one node
/// holds the lease, and a node that lost it cannot write a cursor.
/// </summary>
/// <remarks>
/// Records (<c>k</c>): <c>start</c> {at, inbox} (revision 1: what was committed before it is not acted on);
/// <c>lease</c> {node, until} (taken or renewed) and <c>release</c> {node}, both with the holder's progress: <c>inbox</c>
/// (the inbox revision every conversation it named is handled up to) and <c>c</c> {conversation key: last revision
/// handled}. A reader adds its own kinds and progress members (<see cref="ApplyOther"/>, <see cref="Progress"/>).
/// </remarks>
internal abstract class LeasedLog(string channel)
{
    public string Channel { get; } = channel;

    public long Head { get; private set; }

    public long StartAt { get; private set; }

    public long Inbox { get; set; }

    public Dictionary<string, long> Conversations { get; } = new(StringComparer.Ordinal);

    public string? LeaseNode { get; private set; }

    public long LeaseUntil { get; private set; }

    /// <summary>The node that holds the lease at <paramref name="now"/> (Unix ms), or null.</summary>
    public string? HolderAt(long now) => LeaseNode is not null && LeaseUntil > now ? LeaseNode : null;

    /// <summary>Applies the record at <paramref name="revision"/>; one it cannot read moves only the head.</summary>
    public void Apply(long revision, ReadOnlySpan<byte> payload)
    {
        Head = revision;
        JsonRecord.TryApply(payload, (kind, op) =>
        {
            switch (kind)
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
                        EndLease();
                    }

                    break;
                default:
                    ApplyOther(kind, op);
                    break;
            }
        });
    }

    /// <summary>
    /// The fold as a snapshot (<see cref="Stores.ISnapshotStore"/>): the log is trimmed behind it, so it does not grow
    /// with every lease renewal forever, and a node starting reads one snapshot and a few records.
    /// </summary>
    public byte[] ToSnapshot() => JsonRecord.Write(w =>
    {
        w.WriteNumber("at", StartAt);
        WriteProgress(w, Inbox, Conversations);
        if (LeaseNode is not null)
        {
            w.WriteString("node", LeaseNode);
            w.WriteNumber("until", LeaseUntil);
        }

        WriteSnapshot(w);
    });

    /// <summary>
    /// Takes a snapshot at <paramref name="revision"/> when it is ahead of this fold (the records between were trimmed).
    /// Progress merges by maximum, so what this node handled and did not record yet is kept.
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
        (LeaseNode, LeaseUntil) = root.TryGetProperty("node", out var node) ? (node.GetString(), root.GetProperty("until").GetInt64()) : (null, 0);
        RestoreOther(root);
        Progress(root);
    }

    public static byte[] Start(long at, long inbox) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "start");
        w.WriteNumber("at", at);
        w.WriteNumber("inbox", inbox);
    });

    /// <summary>The members every <c>lease</c> and <c>release</c> record has: the kind, the holder, and its progress.</summary>
    protected static void WriteRecord(Utf8JsonWriter w, string kind, string node, long until, long? inbox, IReadOnlyDictionary<string, long> cursors)
    {
        w.WriteString("k", kind);
        w.WriteString("node", node);
        w.WriteNumber("until", until);
        WriteProgress(w, inbox, cursors);
    }

    /// <summary>Folds a record's (or a snapshot's) progress members; a reader with more calls this first.</summary>
    protected virtual void Progress(JsonElement op)
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
    }

    /// <summary>A record of a kind this class does not know (a reader's own, or one from a newer version).</summary>
    protected virtual void ApplyOther(string? kind, JsonElement op)
    {
    }

    /// <summary>A reader's own snapshot members, written after the shared ones.</summary>
    protected virtual void WriteSnapshot(Utf8JsonWriter w)
    {
    }

    /// <summary>A reader's own snapshot members, read before the progress is folded.</summary>
    protected virtual void RestoreOther(JsonElement root)
    {
    }

    protected void EndLease() => (LeaseNode, LeaseUntil) = (null, 0);

    private static void WriteProgress(Utf8JsonWriter w, long? inbox, IReadOnlyDictionary<string, long> cursors)
    {
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
    }
}
