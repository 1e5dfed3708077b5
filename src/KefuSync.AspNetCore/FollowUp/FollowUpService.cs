using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.FollowUp;

/// <summary>
/// Emails the visitor an agent's reply they have not read within <see cref="KefuEmailOptions.UnreadDelay"/>, at most one
/// email per conversation per <see cref="KefuEmailOptions.Throttle"/>. Every node runs it; the <c>email:KEY</c> log
/// (<see cref="EmailState"/>) decides which node sends which email, and remembers what was sent across restarts.
/// </summary>
/// <remarks>
/// One email, on any number of nodes: (1) a node that finds it due appends a <c>claim</c> at the log's head (expected
/// revision: a compare-and-swap, so one node wins) with a lease of <see cref="KefuEmailOptions.ClaimLease"/>; (2) it sends,
/// with a deadline of half the lease, so it is done before anyone may take over; (3) it appends <c>sent</c> under the
/// client op id <c>sent:STREAM:N</c>, which the store keeps once. A node that dies between (1) and (3) leaves an open
/// claim: after the lease, any node claims the same email number again and sends it with the same Message-ID. So a crash
/// before the SMTP server accepted the email loses nothing and sends it once; a crash after the acceptance and before
/// (3) sends it twice, with one Message-ID (SMTP has no exactly-once; docs/configuration.md says so). Everything due is
/// derived from the conversation (the inbox summary: email, first unread reply), not from a queue, so nothing waiting
/// is lost when a node dies before it claimed.
/// </remarks>
internal sealed partial class FollowUpService(
    InboxProjection inbox,
    IOpStore store,
    IKefuEmailSender sender,
    FollowUpComposer composer,
    PresenceTracker presence,
    NodeIdentity node,
    KefuMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<FollowUpService> logger) : BackgroundService
{
    private const int MaxLines = 20;
    private const int MaxTranscriptLines = 500;
    private readonly Dictionary<string, EmailState> _states = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pass = new(1, 1); // one pass at a time: the poll loop, or a test driving it

    // Presence comes from every node over the backplane, refreshed every TTL/3: a node that started less than a TTL ago
    // may not have heard of an agent who is online, so it tells no agent that nobody is there.
    private readonly long _startedAt = time.GetUtcNow().ToUnixTimeMilliseconds();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var email = options.CurrentValue.Email;
            if (email.Enabled)
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    Log.PollFailed(logger, ex);
                }
            }

            try
            {
                await Task.Delay(email.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    /// <summary>One look at every conversation with an email and an unread reply.</summary>
    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task PassAsync(CancellationToken cancellationToken)
    {
        var notify = options.CurrentValue.Email.AgentAddresses.Count > 0;
        var candidates = await inbox.WhereAsync(s => (s.Email is not null && s.ReplyFrom > 0) || s.Transcript > 0 || (notify && s.WaitingSince > 0), cancellationToken).ConfigureAwait(false);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var summary in candidates)
        {
            keep.Add(summary.Key);
            if (summary.Email is not null && summary.ReplyFrom > 0)
            {
                await VisitorAsync(summary, cancellationToken).ConfigureAwait(false);
            }

            if (summary.Transcript > 0)
            {
                await TranscriptAsync(summary, cancellationToken).ConfigureAwait(false);
            }

            if (notify && summary.WaitingSince > 0)
            {
                await AgentsAsync(summary, cancellationToken).ConfigureAwait(false);
            }
        }

        // Only conversations that may still need an email keep their state in memory: bounded by the inbox.
        foreach (var key in _states.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            _states.Remove(key);
        }
    }

    private async Task VisitorAsync(ConversationSummary summary, CancellationToken cancellationToken)
    {
        var email = options.CurrentValue.Email;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        _states.TryGetValue(summary.Key, out var state);
        var local = state?.Stream(EmailState.VisitorStream);
        if (state is not null && !Wanted(summary, state, local!, now, email))
        {
            return; // what this node knows says nothing is due: no store call
        }

        state = await LoadAsync(summary.Key, cancellationToken).ConfigureAwait(false);
        var stream = state.Stream(EmailState.VisitorStream);
        if (!Wanted(summary, state, stream, now, email))
        {
            return;
        }

        var claim = NextClaim(stream, summary.ReplyTo, now, email);
        await DeliverAsync(state, EmailState.VisitorStream, claim, "follow_up", async c =>
        {
            var lines = await LinesAsync(summary, stream.Covered, c.UpTo, cancellationToken).ConfigureAwait(false);
            return composer.Visitor(summary, summary.Email!, c.N, lines);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The transcript a visitor asked for (a <c>transcript</c> op, docs/protocol.md §4.2): one email for every request
    /// not covered yet, through the same claim, send and record steps as a follow-up, on its own stream <c>t</c>.
    /// </summary>
    private async Task TranscriptAsync(ConversationSummary summary, CancellationToken cancellationToken)
    {
        var email = options.CurrentValue.Email;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        _states.TryGetValue(summary.Key, out var state);
        if (state is not null && !TranscriptWanted(summary, state, state.Stream(EmailState.TranscriptStream), now))
        {
            return; // what this node knows says nothing is due: no store call
        }

        state = await LoadAsync(summary.Key, cancellationToken).ConfigureAwait(false);
        var stream = state.Stream(EmailState.TranscriptStream);
        if (!TranscriptWanted(summary, state, stream, now))
        {
            return;
        }

        var claim = NextClaim(stream, summary.Transcript, now, email);
        await DeliverAsync(state, EmailState.TranscriptStream, claim, "transcript", async c =>
        {
            var (lines, more) = await TranscriptLinesAsync(summary.Key, c.UpTo, cancellationToken).ConfigureAwait(false);
            return composer.Transcript(summary, summary.TranscriptTo!, c.N, lines, more);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Tells <see cref="KefuEmailOptions.AgentAddresses"/> about a visitor who is waiting: a visitor message no agent has
    /// answered for <see cref="KefuEmailOptions.AgentDelay"/>, while no agent is online (on any node). One stream per
    /// address, at most one email per <see cref="KefuEmailOptions.Throttle"/>, each covering the visitor messages since
    /// the last one; an agent who answers, or comes online, stops it.
    /// </summary>
    private async Task AgentsAsync(ConversationSummary summary, CancellationToken cancellationToken)
    {
        var email = options.CurrentValue.Email;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (summary.WaitingSince + (long)email.AgentDelay.TotalMilliseconds > now
            || now - _startedAt < (long)options.CurrentValue.Presence.Ttl.TotalMilliseconds
            || presence.AgentsAvailable())
        {
            return; // not due, this node may not know who is online yet, or someone is there to answer
        }

        foreach (var address in email.AgentAddresses)
        {
            var name = EmailState.AgentStream(address);
            _states.TryGetValue(summary.Key, out var state);
            if (state is not null && !AgentWanted(summary, state.Stream(name), now, email))
            {
                continue;
            }

            state = await LoadAsync(summary.Key, cancellationToken).ConfigureAwait(false);
            var stream = state.Stream(name);
            if (!AgentWanted(summary, stream, now, email))
            {
                continue;
            }

            var claim = NextClaim(stream, summary.LastRevision, now, email);
            await DeliverAsync(state, name, claim, "agent", async c =>
            {
                var lines = await LinesAsync(summary, stream.Covered, c.UpTo, cancellationToken, visitors: true).ConfigureAwait(false);
                return composer.Agent(summary, address, name, c.N, lines);
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An open claim whose lease ran out, or visitor messages no email covered, past the throttle.</summary>
    private static bool AgentWanted(ConversationSummary summary, EmailStream stream, long now, KefuEmailOptions email)
        => stream.Open is { } open
            ? open.Until <= now
            : summary.LastRevision > stream.Covered && (stream.LastAt == 0 || stream.LastAt + (long)email.Throttle.TotalMilliseconds <= now);

    /// <summary>A request not covered by an email yet (or a claim whose lease ran out); an unsubscribed conversation gets none.</summary>
    private static bool TranscriptWanted(ConversationSummary summary, EmailState state, EmailStream stream, long now)
        => !state.Unsubscribed && summary.TranscriptTo is not null
            && (stream.Open is { } open ? open.Until <= now : summary.Transcript > stream.Covered);

    /// <summary>The open email taken over (same number, same Message-ID), or the next one, covering up to <paramref name="upTo"/>.</summary>
    private EmailClaim NextClaim(EmailStream stream, long upTo, long now, KefuEmailOptions email)
        => stream.Open is { } open
            ? open with { Node = node.Id, Until = now + (long)email.ClaimLease.TotalMilliseconds, Tries = open.Tries + 1 }
            : new EmailClaim(stream.Done + 1, upTo, node.Id, now + (long)email.ClaimLease.TotalMilliseconds, 1);

    /// <summary>
    /// Claims email <paramref name="claim"/> of <paramref name="streamName"/> (a compare-and-swap at the log's head), writes
    /// it with <paramref name="compose"/> (null: nothing to send, given up), sends it within half the lease and records
    /// <c>sent</c>, <c>fail</c> (with a back-off) or <c>gaveup</c>.
    /// </summary>
    private async Task DeliverAsync(EmailState state, string streamName, EmailClaim claim, string kind, Func<EmailClaim, Task<KefuEmailMessage?>> compose, CancellationToken cancellationToken)
    {
        var email = options.CurrentValue.Email;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (claim.Tries > email.MaxAttempts)
        {
            Log.GaveUp(logger, state.Key, claim.N, email.MaxAttempts);
            metrics.EmailsFailed.Add(1);
            await FinishAsync(state, "gaveup", streamName, claim, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        var claimPayload = EmailState.Claim(streamName, claim);
        var claimed = await store.AppendAsync(state.LogChannel, state.Head, new OpDraft($"claim:{streamName}:{claim.N}:{claim.Tries}:{node.Id}", node.Id, time.GetUtcNow(), claimPayload), cancellationToken).ConfigureAwait(false);
        if (claimed.Status != AppendStatus.Appended)
        {
            Log.ClaimLost(logger, state.Key, claim.N);
            await CatchUpAsync(state, cancellationToken).ConfigureAwait(false);
            return; // another node claimed (or finished) first
        }

        state.Apply(claimed.Revision, claimPayload);
        var message = await compose(claim).ConfigureAwait(false);
        if (message is null)
        {
            await FinishAsync(state, "gaveup", streamName, claim, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            // Done (or given up) well inside the lease, so no other node takes the email over while this one still sends.
            using var deadline = new CancellationTokenSource(email.ClaimLease / 2, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            await sender.SendAsync(message, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Refused, unreachable or too slow: free the claim, and back off before any node tries again.
            var retryAt = now + (long)Math.Min(email.PollInterval.TotalMilliseconds * Math.Pow(2, claim.Tries), TimeSpan.FromHours(1).TotalMilliseconds);
            Log.SendFailed(logger, state.Key, claim.N, claim.Tries, ex);
            metrics.EmailsFailed.Add(1);
            await AppendAtHeadAsync(state, $"fail:{streamName}:{claim.N}:{claim.Tries}", EmailState.Failed(streamName, claim.N, retryAt), cancellationToken).ConfigureAwait(false);
            return;
        }

        metrics.EmailsSent.Add(1, new KeyValuePair<string, object?>("kind", kind));
        Log.Sent(logger, state.Key, claim.N, message.MessageId);
        await FinishAsync(state, "sent", streamName, claim, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the visitor stream has an email to start or to take over now.</summary>
    private static bool Wanted(ConversationSummary summary, EmailState state, EmailStream stream, long now, KefuEmailOptions email)
    {
        if (state.Unsubscribed)
        {
            return false;
        }

        if (stream.Open is { } open)
        {
            return open.Until <= now; // a lease ran out (its node died) or a back-off is over
        }

        if (summary.ReplyFrom == 0 || summary.ReplyTo <= stream.Covered || summary.VisitorRead >= summary.ReplyTo)
        {
            return false;
        }

        // The oldest reply not emailed yet: the first unread one, or (after an email covered that) at most the last one.
        var since = summary.ReplyFrom > stream.Covered ? summary.ReplyAt : summary.ReplyToAt;
        var due = Math.Max(since + (long)email.UnreadDelay.TotalMilliseconds, stream.LastAt > 0 ? stream.LastAt + (long)email.Throttle.TotalMilliseconds : 0);
        return due <= now;
    }

    /// <summary>
    /// The agent messages (or, with <paramref name="visitors"/>, the visitor's) after <paramref name="after"/> up to
    /// <paramref name="upTo"/> that the email shows (edits and recalls applied).
    /// </summary>
    private async Task<List<FollowUpComposer.Line>> LinesAsync(ConversationSummary summary, long after, long upTo, CancellationToken cancellationToken, bool visitors = false)
    {
        // visitors: only what came after the agents last answered (or read); agents: what the visitor has not read
        var from = Math.Max(after, visitors ? summary.AgentRead : summary.VisitorRead);
        var lines = new List<(long Rev, string Name, string Text)>();
        var channel = ChannelName.Conversation(summary.Key).Value;
        while (from < upTo)
        {
            var ops = await store.ReadAsync(channel, from, 200, cancellationToken).ConfigureAwait(false);
            if (ops.Count == 0)
            {
                break;
            }

            foreach (var op in ops)
            {
                if (op.Revision > upTo)
                {
                    break;
                }

                from = op.Revision;
                using var json = JsonDocument.Parse(op.Payload);
                var root = json.RootElement;
                var kind = root.TryGetProperty("k", out var k) ? k.GetString() : null;
                var role = root.TryGetProperty("role", out var r) ? r.GetString() : null;
                if (visitors ? role != "visitor" : role is not ("agent" or "bot"))
                {
                    continue;
                }

                if (kind == "msg")
                {
                    // a file without a caption shows as its name (never a link: the download is access-checked)
                    var file = root.TryGetProperty("att", out var att) && att.ValueKind == JsonValueKind.Object ? Str(att, "name") : null;
                    var text = Str(root, "text") ?? "";
                    lines.Add((op.Revision, Str(root, "name") ?? "", file is null ? text : text.Length > 0 ? $"📎 {file}\n{text}" : $"📎 {file}"));
                }
                else if (kind is "edit" or "recall" && root.TryGetProperty("target", out var target))
                {
                    var index = lines.FindIndex(l => l.Rev == target.GetInt64());
                    if (index >= 0)
                    {
                        lines[index] = kind == "edit" ? lines[index] with { Text = root.GetProperty("text").GetString() ?? "" } : lines[index] with { Text = "" };
                    }
                }
            }
        }

        return [.. lines.Where(l => l.Text.Length > 0).TakeLast(MaxLines).Select(l => new FollowUpComposer.Line(l.Name, l.Text))];
    }

    /// <summary>
    /// Every message of the conversation up to <paramref name="upTo"/>, in order, edits and recalls applied (a recalled one
    /// is left out), a file as its name only: a link would bypass the download's access check. The last
    /// <see cref="MaxTranscriptLines"/>; <c>more</c> says earlier ones were left out.
    /// </summary>
    private async Task<(List<FollowUpComposer.TranscriptLine> Lines, bool More)> TranscriptLinesAsync(string key, long upTo, CancellationToken cancellationToken)
    {
        var lines = new List<(long Rev, FollowUpComposer.TranscriptLine Line)>();
        var channel = ChannelName.Conversation(key).Value;
        long from = 0;
        while (from < upTo)
        {
            var ops = await store.ReadAsync(channel, from, 500, cancellationToken).ConfigureAwait(false);
            if (ops.Count == 0)
            {
                break;
            }

            foreach (var op in ops)
            {
                if (op.Revision > upTo)
                {
                    break;
                }

                from = op.Revision;
                using var json = JsonDocument.Parse(op.Payload);
                var root = json.RootElement;
                var kind = Str(root, "k");
                if (kind == "msg")
                {
                    var file = root.TryGetProperty("att", out var att) && att.ValueKind == JsonValueKind.Object ? Str(att, "name") : null;
                    var line = new FollowUpComposer.TranscriptLine(Str(root, "name") ?? "", Str(root, "role") ?? "", op.Timestamp.ToUnixTimeMilliseconds(), Str(root, "text") ?? "", file);
                    lines.Add((op.Revision, line));
                }
                else if (kind is "edit" or "recall" && root.TryGetProperty("target", out var target) && target.TryGetInt64(out var rev))
                {
                    var index = lines.FindIndex(l => l.Rev == rev);
                    if (index >= 0)
                    {
                        lines[index] = kind == "edit"
                            ? (rev, lines[index].Line with { Text = Str(root, "text") ?? "" })
                            : (rev, lines[index].Line with { Text = "", File = null });
                    }
                }
            }
        }

        var shown = lines.Where(l => l.Line.Text.Length > 0 || l.Line.File is not null).Select(l => l.Line).ToList();
        return shown.Count > MaxTranscriptLines ? (shown[^MaxTranscriptLines..], true) : (shown, false);
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private async Task<EmailState> LoadAsync(string key, CancellationToken cancellationToken)
    {
        if (!_states.TryGetValue(key, out var state))
        {
            _states[key] = state = new EmailState(key);
        }

        await CatchUpAsync(state, cancellationToken).ConfigureAwait(false);
        return state;
    }

    private async Task CatchUpAsync(EmailState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var ops = await store.ReadAsync(state.LogChannel, state.Head, 500, cancellationToken).ConfigureAwait(false);
            foreach (var op in ops)
            {
                state.Apply(op.Revision, op.Payload.Span);
            }

            if (ops.Count < 500)
            {
                return;
            }
        }
    }

    private Task FinishAsync(EmailState state, string kind, string stream, EmailClaim claim, long at, CancellationToken cancellationToken)
        => AppendAtHeadAsync(state, $"{kind}:{stream}:{claim.N}", EmailState.Finished(kind, stream, claim.N, claim.UpTo, at), cancellationToken);

    /// <summary>
    /// Appends an op whatever else was appended meanwhile (its client op id makes it once-only across nodes): used for
    /// what must be recorded, never for claims, which must lose a race.
    /// </summary>
    private async Task AppendAtHeadAsync(EmailState state, string clientOpId, byte[] payload, CancellationToken cancellationToken)
    {
        var attempts = options.CurrentValue.Limits.MaxAppendRetries;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var result = await store.AppendAsync(state.LogChannel, state.Head, new OpDraft(clientOpId, node.Id, time.GetUtcNow(), payload), cancellationToken).ConfigureAwait(false);
            switch (result.Status)
            {
                case AppendStatus.Appended:
                    state.Apply(result.Revision, payload);
                    return;
                case AppendStatus.Duplicate:
                    return; // recorded already (by this node's earlier try, or another node)
                default:
                    await CatchUpAsync(state, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        Log.RecordFailed(logger, clientOpId, state.Key);
    }
}
