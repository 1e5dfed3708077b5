using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;

namespace KefuSync.Conversations;

/// <summary>
/// Joins an anonymous visitor's conversation to the conversation of the host identity they signed in as
/// (docs/protocol.md §2.5, docs/security.md "Identity merge"). Only <c>hello</c> calls it, and only when one hello
/// presents both tokens, each valid and signed by this server: the merge is proven by holding both, never claimed.
/// </summary>
/// <remarks>
/// Three steps, each idempotent, so a node dying anywhere in between and the client's next hello (it keeps the anonymous
/// token until a <c>welcome</c> says <c>merged</c>) finish the merge without duplicating anything:
/// <list type="number">
/// <item>the claim: the first op of the server-written log <c>merge:ANONKEY</c>, appended at expected revision 0 with the
/// id <c>into:HOSTKEY</c>. The store's compare-and-swap makes an anonymous identity merge into one host identity ever, on
/// every node; a repeat by the same host is a <c>Duplicate</c>, another host a <c>Conflict</c> (refused);</item>
/// <item>the marker: a <c>merged</c> op in the anonymous conversation (id <c>merged~</c>): its tabs and the inbox learn it
/// through the ordinary commit pipeline, and what lies before it is what moves;</item>
/// <item>the copies: each message and contact op before the marker, edits applied and recalled messages left out,
/// appended to the host conversation in the original order. A copy of the anonymous visitor's own op keeps its client op
/// id, so a resend from an outbox written before the login is answered <c>dup</c> there; another author's copy is
/// <c>m:ANONKEY:REV~</c>. Both ids are deterministic, so a retry appends nothing twice.</item>
/// </list>
/// The log stays append-only: nothing is rewritten or removed in either conversation.
/// </remarks>
internal sealed partial class ConversationMerge(IOpStore store, CommitPipeline pipeline, ConversationMessageHandler handler, ILogger<ConversationMerge> logger)
{
    /// <summary>The marker's client op id in the anonymous conversation (server ids end in <c>~</c>, docs/protocol.md §4.1).</summary>
    public const string MarkerId = "merged~";

    private const string DoneId = "done";

    private const int Page = 200;

    /// <summary>What a merge attempt came to.</summary>
    public enum Outcome
    {
        /// <summary>Merged now, or before into the same host identity (a retry): every step is done.</summary>
        Merged,

        /// <summary>Not allowed: the anonymous identity was merged into another host identity, or the kinds are wrong.</summary>
        Refused,
    }

    /// <summary>The claim log of an anonymous conversation: <c>merge:KEY</c>, written only by servers, never a client's channel.</summary>
    public static string ClaimChannel(string anonymousKey) => "merge:" + anonymousKey;

    /// <summary>Whether this anonymous visitor was merged into a host identity (its token then opens nothing: hello mints a fresh one).</summary>
    public async Task<bool> IsMergedAsync(string anonymousId, CancellationToken cancellationToken)
    {
        var channel = ClaimChannel(ConversationKeys.ForVisitor(anonymousId));
        try
        {
            return await store.GetRevisionAsync(channel, cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel, ex);
        }
    }

    /// <summary>
    /// Merges <paramref name="anonymous"/>'s conversation into <paramref name="host"/>'s. Throws <see cref="StoreUnavailableException"/>
    /// when a step could not be written: nothing is lost, and the next hello with both tokens resumes.
    /// </summary>
    public async Task<Outcome> MergeAsync(KefuPrincipal host, VisitorIdentity anonymous, CancellationToken cancellationToken)
    {
        // A host identity is never merged into anything, and only an anonymous one is merged.
        if (!anonymous.IsAnonymous || host.Visitor is not { IsAnonymous: false } || host.ConversationKey is not { } into)
        {
            return Outcome.Refused;
        }

        var from = ConversationKeys.ForVisitor(anonymous.Id);
        switch (await ClaimAsync(from, into, host.Id, cancellationToken).ConfigureAwait(false))
        {
            case Claim.Refused:
                Log.MergeRefused(logger, from);
                return Outcome.Refused;
            case Claim.Done:
                return Outcome.Merged; // the browser presents its anonymous token on every hello: one read, nothing to do
        }

        var anonymousPrincipal = new KefuPrincipal(anonymous.Id, anonymous.Name, PrincipalRole.Visitor, from, anonymous);
        var marker = await CommitAsync(anonymousPrincipal, ChannelName.Conversation(from), MarkerId, new MessageOp("merged", null, 0), cancellationToken).ConfigureAwait(false);
        var copies = await ReadCopiesAsync(from, marker, anonymous.Id, host, cancellationToken).ConfigureAwait(false);
        var target = ChannelName.Conversation(into);
        foreach (var (id, author, op) in copies)
        {
            await CommitAsync(author, target, id, op, cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(ClaimChannel(from), 1, DoneId, host.Id, "{}"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        Log.Merged(logger, from, into, copies.Count);
        return Outcome.Merged;
    }

    private enum Claim
    {
        Ours,
        Done,
        Refused,
    }

    /// <summary>The claim log: op 1 names the host conversation (the claim), op 2 says every step is done.</summary>
    private async Task<Claim> ClaimAsync(string from, string into, string hostId, CancellationToken cancellationToken)
    {
        var channel = ClaimChannel(from);
        var id = "into:" + into;
        var log = await ReadClaimAsync(channel, cancellationToken).ConfigureAwait(false);
        if (log.Count == 0)
        {
            // a conversation key is base64url: nothing to escape
            var result = await WriteAsync(channel, 0, id, hostId, Encoding.UTF8.GetBytes("{\"into\":\"" + into + "\"}"), cancellationToken).ConfigureAwait(false);
            if (result.Status != AppendStatus.Conflict)
            {
                return Claim.Ours; // Appended now, or Duplicate: this very claim was written before (a retry)
            }

            log = await ReadClaimAsync(channel, cancellationToken).ConfigureAwait(false); // another node claimed it meanwhile
        }

        return log.Count == 0 || log[0].ClientOpId != id ? Claim.Refused : log.Count > 1 ? Claim.Done : Claim.Ours;
    }

    private async Task<IReadOnlyList<OpRecord>> ReadClaimAsync(string channel, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ReadAsync(channel, 0, 2, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel, ex);
        }
    }

    private async Task<AppendResult> WriteAsync(string channel, long expected, string id, string author, byte[] payload, CancellationToken cancellationToken)
    {
        try
        {
            // The time is not used: the log's order is its revisions. UnixEpoch keeps a repeat byte-identical.
            return await store.AppendAsync(channel, expected, new OpDraft(id, author, DateTimeOffset.UnixEpoch, payload), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel, ex);
        }
    }

    private async Task<long> CommitAsync(KefuPrincipal author, ChannelName channel, string id, MessageOp op, CancellationToken cancellationToken)
    {
        var result = await pipeline.CommitAsync(handler, author, channel, id, 0, op, cancellationToken).ConfigureAwait(false);
        return result.Committed
            ? result.Revision
            : throw new StoreUnavailableException(channel.Value, new InvalidOperationException($"{result.ErrorCode}: {result.ErrorMessage}"));
    }

    /// <summary>The ops to copy, in their original order: messages (as last edited, recalled ones left out) and contacts before the marker.</summary>
    private async Task<List<(string Id, KefuPrincipal Author, MessageOp Op)>> ReadCopiesAsync(string from, long marker, string anonymousId, KefuPrincipal host, CancellationToken cancellationToken)
    {
        var channel = ChannelName.Conversation(from).Value;
        var kept = new SortedDictionary<long, (OpRecord Record, JsonObject Payload)>();
        var after = 0L;
        while (after < marker - 1)
        {
            IReadOnlyList<OpRecord> page;
            try
            {
                page = await store.ReadAsync(channel, after, (int)Math.Min(Page, marker - 1 - after), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
            {
                throw new StoreUnavailableException(channel, ex);
            }

            if (page.Count == 0)
            {
                break;
            }

            foreach (var record in page)
            {
                after = record.Revision;
                if (record.Revision >= marker || JsonNode.Parse(record.Payload.Span) is not JsonObject payload)
                {
                    continue;
                }

                var kind = (string?)payload["k"];
                var target = payload["target"]?.GetValue<long>() ?? 0;
                if (kind is "msg" or "contact")
                {
                    kept[record.Revision] = (record, payload);
                }
                else if (kind == "edit" && kept.TryGetValue(target, out var edited))
                {
                    edited.Payload["text"] = (string?)payload["text"];
                }
                else if (kind == "recall")
                {
                    kept.Remove(target);
                }
            }
        }

        var copies = new List<(string, KefuPrincipal, MessageOp)>(kept.Count);
        foreach (var (revision, (record, payload)) in kept)
        {
            var own = record.Author == anonymousId;
            KefuPrincipal author;
            string id;
            if (own)
            {
                // The visitor's own words are now the signed-in person's: their id, so the widget shows them as "mine".
                (author, id) = (host, record.ClientOpId);
                payload["name"] = host.Name;
            }
            else
            {
                var role = (string?)payload["role"] switch { "agent" => PrincipalRole.Agent, "bot" => PrincipalRole.Bot, _ => PrincipalRole.Visitor };
                (author, id) = (new KefuPrincipal(record.Author, (string?)payload["name"] ?? record.Author, role, null, null), $"m:{from}:{revision}~");
            }

            // When it was first said: the copy's own commit time is the merge's.
            payload["ots"] = record.Timestamp.ToUnixTimeMilliseconds();
            var kind = (string)payload["k"]!;
            var op = new MessageOp(
                kind,
                kind == "msg" ? (string?)payload["text"] : null,
                0,
                Value: kind == "contact" ? (string?)payload["email"] : null,
                AttachmentName: (string?)payload["att"]?["name"],
                Lang: kind == "contact" ? (string?)payload["lang"] : null,
                Stored: Serialize(payload));
            copies.Add((id, author, op));
        }

        return copies;
    }

    private static byte[] Serialize(JsonObject payload)
    {
        // As MessageOps writes payloads: text stays readable (relaxed escaping), written by the server, never a client's bytes.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            payload.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
