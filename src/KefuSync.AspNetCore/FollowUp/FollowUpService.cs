using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
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
    NodeIdentity node,
    KefuMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<KefuSyncOptions> options,
    ILogger<FollowUpService> logger) : BackgroundService
{
    private const int MaxLines = 20;
    private readonly Dictionary<string, EmailState> _states = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _pass = new(1, 1); // one pass at a time: the poll loop, or a test driving it

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
        var candidates = await inbox.WhereAsync(s => s.Email is not null && s.ReplyFrom > 0, cancellationToken).ConfigureAwait(false);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var summary in candidates)
        {
            keep.Add(summary.Key);
            await VisitorAsync(summary, cancellationToken).ConfigureAwait(false);
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

        var claim = stream.Open is { } open
            ? open with { Node = node.Id, Until = now + (long)email.ClaimLease.TotalMilliseconds, Tries = open.Tries + 1 }
            : new EmailClaim(stream.Done + 1, summary.ReplyTo, node.Id, now + (long)email.ClaimLease.TotalMilliseconds, 1);
        if (claim.Tries > email.MaxAttempts)
        {
            Log.GaveUp(logger, summary.Key, claim.N, email.MaxAttempts);
            metrics.EmailsFailed.Add(1);
            await FinishAsync(state, "gaveup", EmailState.VisitorStream, claim, now, cancellationToken).ConfigureAwait(false);
            return;
        }

        var claimPayload = EmailState.Claim(EmailState.VisitorStream, claim);
        var claimed = await store.AppendAsync(state.LogChannel, state.Head, new OpDraft($"claim:{EmailState.VisitorStream}:{claim.N}:{claim.Tries}:{node.Id}", node.Id, time.GetUtcNow(), claimPayload), cancellationToken).ConfigureAwait(false);
        if (claimed.Status != AppendStatus.Appended)
        {
            Log.ClaimLost(logger, summary.Key, claim.N);
            await CatchUpAsync(state, cancellationToken).ConfigureAwait(false);
            return; // another node claimed (or finished) first
        }

        state.Apply(claimed.Revision, claimPayload);
        var lines = await LinesAsync(summary, stream.Covered, claim.UpTo, cancellationToken).ConfigureAwait(false);
        var message = composer.Visitor(summary, summary.Email!, claim.N, lines);
        if (message is null)
        {
            await FinishAsync(state, "gaveup", EmailState.VisitorStream, claim, now, cancellationToken).ConfigureAwait(false);
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
            Log.SendFailed(logger, summary.Key, claim.N, claim.Tries, ex);
            metrics.EmailsFailed.Add(1);
            await AppendAtHeadAsync(state, $"fail:{EmailState.VisitorStream}:{claim.N}:{claim.Tries}", EmailState.Failed(EmailState.VisitorStream, claim.N, retryAt), cancellationToken).ConfigureAwait(false);
            return;
        }

        metrics.EmailsSent.Add(1, new KeyValuePair<string, object?>("kind", "follow_up"));
        Log.Sent(logger, summary.Key, claim.N, message.MessageId);
        await FinishAsync(state, "sent", EmailState.VisitorStream, claim, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
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

    /// <summary>The agent messages after <paramref name="after"/> up to <paramref name="upTo"/> that the email shows (edits and recalls applied).</summary>
    private async Task<List<FollowUpComposer.Line>> LinesAsync(ConversationSummary summary, long after, long upTo, CancellationToken cancellationToken)
    {
        var from = Math.Max(after, summary.VisitorRead);
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
                if (role is not ("agent" or "bot"))
                {
                    continue;
                }

                if (kind == "msg")
                {
                    lines.Add((op.Revision, root.GetProperty("name").GetString() ?? "", root.GetProperty("text").GetString() ?? ""));
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
