using System.Text.Json;
using KefuSync.Protocol;

namespace KefuSync.FollowUp;

/// <summary>
/// The email state of one conversation: the fold of its <c>email:KEY</c> log (written only by servers, never readable
/// by a client: <c>email</c> is no channel kind of docs/protocol.md §3). The log lives in the op store like any
/// channel, so every store supports it, and its two store rules make delivery single and durable across nodes: an append
/// at an expected revision is a compare-and-swap (one node wins a claim), and a client op id is appended once (a
/// <c>sent</c> record is never doubled). Ops: <c>claim</c>, <c>sent</c>, <c>fail</c>, <c>gaveup</c> (each with a stream
/// <c>s</c> and a number <c>n</c>), and <c>unsub</c>.
/// </summary>
internal sealed class EmailState(string conversationKey)
{
    public const string VisitorStream = "v";

    /// <summary>The transcripts a visitor asked for (docs/protocol.md §4.2 <c>transcript</c>).</summary>
    public const string TranscriptStream = "t";

    /// <summary>
    /// The stream of the notifications to one agent address: <c>a</c> and 12 hex digits of the address's SHA-256 (an
    /// address list may change; the stream of an address stays the same, and a Message-ID holds no address).
    /// </summary>
    public static string AgentStream(string address)
        => "a" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant())))[..12];

    public string Key { get; } = conversationKey;

    /// <summary>The log's channel name, <c>email:KEY</c>.</summary>
    public string LogChannel => Channel(Key);

    public long Head { get; private set; }

    public bool Unsubscribed { get; private set; }

    public Dictionary<string, EmailStream> Streams { get; } = new(StringComparer.Ordinal);

    public static string Channel(string conversationKey) => "email:" + conversationKey;

    public EmailStream Stream(string name)
    {
        if (!Streams.TryGetValue(name, out var stream))
        {
            Streams[name] = stream = new EmailStream();
        }

        return stream;
    }

    /// <summary>Applies the op at <paramref name="revision"/> (the next one); a payload it cannot read changes nothing but the head.</summary>
    public void Apply(long revision, ReadOnlySpan<byte> payload)
    {
        Head = revision;
        JsonRecord.TryApply(payload, (kind, op) =>
        {
            if (kind == "unsub")
            {
                Unsubscribed = true;
                return;
            }

            var stream = Stream(op.GetProperty("s").GetString() ?? "");
            var n = op.GetProperty("n").GetInt32();
            switch (kind)
            {
                case "claim":
                    stream.Open = new EmailClaim(n, op.GetProperty("upTo").GetInt64(), op.GetProperty("node").GetString(), op.GetProperty("until").GetInt64(), op.GetProperty("try").GetInt32());
                    break;
                case "fail" when stream.Open is { } open && open.N == n:
                    stream.Open = open with { Node = null, Until = op.GetProperty("retryAt").GetInt64() };
                    break;
                case "sent":
                case "gaveup":
                    stream.Done = Math.Max(stream.Done, n);
                    stream.Covered = Math.Max(stream.Covered, op.GetProperty("upTo").GetInt64());
                    if (kind == "sent")
                    {
                        stream.LastAt = Math.Max(stream.LastAt, op.GetProperty("at").GetInt64());
                    }

                    if (stream.Open?.N <= n)
                    {
                        stream.Open = null;
                    }

                    break;
            }
        });
    }

    public static byte[] Claim(string stream, EmailClaim claim) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "claim");
        w.WriteString("s", stream);
        w.WriteNumber("n", claim.N);
        w.WriteNumber("upTo", claim.UpTo);
        w.WriteString("node", claim.Node);
        w.WriteNumber("until", claim.Until);
        w.WriteNumber("try", claim.Tries);
    });

    public static byte[] Finished(string kind, string stream, int n, long upTo, long at) => JsonRecord.Write(w =>
    {
        w.WriteString("k", kind);
        w.WriteString("s", stream);
        w.WriteNumber("n", n);
        w.WriteNumber("upTo", upTo);
        w.WriteNumber("at", at);
    });

    public static byte[] Failed(string stream, int n, long retryAt) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "fail");
        w.WriteString("s", stream);
        w.WriteNumber("n", n);
        w.WriteNumber("retryAt", retryAt);
    });

    public static byte[] Unsubscribe() => JsonRecord.Write(w => w.WriteString("k", "unsub"));

}
