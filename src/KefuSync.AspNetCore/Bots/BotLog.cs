using System.Text.Json;
using KefuSync.Protocol;

namespace KefuSync.Bots;

/// <summary>
/// The bot's progress and lease: the fold of its server-written <c>bot:NAME</c> log (no client can read or write it:
/// <c>bot</c> is no channel kind of docs/protocol.md §3). As for webhooks, an append succeeds only at the expected
/// revision, so each record is a compare-and-swap: one node holds the lease, and a node that lost it cannot write a cursor.
/// </summary>
/// <remarks>
/// Records (<c>k</c>): <c>start</c> {at, inbox} (revision 1: messages committed before it are not answered); <c>lease</c>
/// {node, until} (taken or renewed) and <c>release</c> {node}, both with the holder's progress: <c>inbox</c> (the inbox
/// revision every conversation it named is handled up to) and <c>c</c> {conversation key: last revision handled}.
/// </remarks>
internal sealed class BotLog(string name)
{
    public string Channel { get; } = ChannelOf(name);

    public long Head { get; private set; }

    public long StartAt { get; private set; }

    public long Inbox { get; set; }

    public Dictionary<string, long> Conversations { get; } = new(StringComparer.Ordinal);

    public string? LeaseNode { get; private set; }

    public long LeaseUntil { get; private set; }

    public static string ChannelOf(string name) => "bot:" + name;

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
    }

    public static byte[] Start(long at, long inbox) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "start");
        w.WriteNumber("at", at);
        w.WriteNumber("inbox", inbox);
    });

    /// <summary>A <c>lease</c> or <c>release</c> record with the holder's progress not yet recorded.</summary>
    public static byte[] Record(string kind, string node, long until, long? inbox, IReadOnlyDictionary<string, long> cursors) => JsonRecord.Write(w =>
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
    });
}
