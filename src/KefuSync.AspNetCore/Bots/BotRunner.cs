using System.Globalization;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Leasing;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.Bots;

/// <summary>
/// Runs the host's bot from the op log (docs/bots.md): new visitor messages of the conversations it holds reach it in
/// order per conversation, once, on one node at a time.
/// </summary>
/// <remarks>
/// <para><b>Where work comes from.</b> As for webhooks: every committed conversation op is folded into an <c>inbox</c>
/// summary naming its conversation. A pass reads the inbox after the bot's inbox cursor, and for each conversation named
/// reads <c>conv:KEY</c> after that conversation's cursor; each op is folded into <see cref="BotConversation"/>, which
/// says what to do (take, answer, hand over). Conversations are handled one after another, each op in order.</para>
/// <para><b>Once.</b> The cursors are recorded in the <c>bot:NAME</c> log (<see cref="BotLog"/>) after each
/// conversation. Everything the bot writes for the op at revision R has a deterministic op id (<c>~NAME:R:a</c> for an
/// assignment, <c>~NAME:R:0</c>, <c>:1</c>… for its messages and <c>:e</c> for the last one, <c>~NAME:R:h</c> for a
/// handover), so a node that resumes from an older cursor after a crash finds the turn's end already there and does not
/// ask the bot again, and if it must (the crash came before the turn's last op), whatever was posted dedupes. Clients cannot submit
/// ids beginning with <c>~</c> (docs/protocol.md §4.2), so no visitor can pre-empt one.</para>
/// <para><b>One node.</b> A node works only while it holds the lease, a <c>lease</c> record appended at the log's head
/// (a compare-and-swap). It renews it before every turn when less than two thirds remain, and a turn lasts at most
/// <see cref="KefuBotOptions.Timeout"/> (a third of the lease), so by the time another node may take over, the old holder
/// has stopped.</para>
/// </remarks>
internal sealed partial class BotRunner
{
    private const int Page = 100;
    private const int MaxCached = 10_000;

    private readonly KefuBotOptions _options;
    private readonly Type _botType;
    private readonly IOpStore _store;
    private readonly CommitPipeline _committer;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly string _node;
    private readonly KefuMetrics _metrics;
    private readonly InboxWakeup _wakeup;
    private readonly ILogger _logger;
    private readonly KefuPrincipal _principal;
    private readonly BotLog _log;
    private readonly LeasedLogChannel _logChannel;
    private readonly ISnapshotStore? _snapshots;
    private readonly Lock _sync = new(); // the runner is one loop; the log's reader takes it all the same
    private readonly Dictionary<string, BotConversation> _conversations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _folded = new(StringComparer.Ordinal); // how far each cached state is folded
    private readonly Dictionary<string, long> _dirty = new(StringComparer.Ordinal);
    private bool _dirtyInbox;
    private long _ownedUntil; // Unix ms until which this node holds the lease; 0: it does not

    public BotRunner(KefuBotOptions options, Type botType, IOpStore store, CommitPipeline committer, IServiceProvider services, TimeProvider time, NodeIdentity node, KefuMetrics metrics, InboxWakeup wakeup, ILogger logger)
    {
        _options = options;
        _botType = botType;
        _store = store;
        _committer = committer;
        _services = services;
        _time = time;
        _node = node.Id;
        _metrics = metrics;
        _wakeup = wakeup;
        _logger = logger;
        _principal = new KefuPrincipal(BotId, options.DisplayName, PrincipalRole.Bot, null, null);
        _log = new BotLog(options.Name);
        _snapshots = services.GetService<ISnapshotStore>();
        _logChannel = new LeasedLogChannel(store, _snapshots, _log, _sync);
    }

    public string Name => _options.Name;

    /// <summary>The bot's principal id, <c>bot:NAME</c>: its messages' author, and the assignee of the conversations it holds.</summary>
    public string BotId => "bot:" + _options.Name;

    /// <summary>Records between two snapshots of the log (a test lowers it).</summary>
    internal int SnapshotEvery { get => _logChannel.SnapshotEvery; set => _logChannel.SnapshotEvery = value; }

    /// <summary>Set by a test before it stops the host: the runner then stops as if the process died (no release).</summary>
    internal bool SimulateCrash { get; set; }

    /// <summary>Cleared by a test to keep cursors unrecorded, as if the node died right after its last answer.</summary>
    internal bool RecordProgress { get; set; } = true;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Writes the <c>start</c> record if the bot is new: messages committed before it are not answered.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _logChannel.StartAsync(_node, _time, cancellationToken);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LeasedLoop.RunAsync(_wakeup, _options.PollInterval, _time, async token =>
            {
                if (_log.Head == 0)
                {
                    await InitializeAsync(token).ConfigureAwait(false);
                }

                return await StepAsync(token).ConfigureAwait(false);
            }, ex => Log.StepFailed(_logger, Name, ex), stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            if (!SimulateCrash && _ownedUntil > 0)
            {
                // A graceful stop hands the work over at once, with the progress made.
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await WriteAsync("release", timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    Log.StepFailed(_logger, Name, ex);
                }
            }
        }
    }

    /// <summary>One step: take or renew the lease if due, then one pass. True when there may be more to do at once.</summary>
    internal async Task<bool> StepAsync(CancellationToken cancellationToken)
    {
        await _logChannel.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        var holder = _log.HolderAt(Now);
        if (holder is not null && holder != _node)
        {
            _ownedUntil = 0;
            return false; // another node runs the bot
        }

        if (!await EnsureLeaseAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (holder is null)
        {
            Log.LeaseTaken(_logger, Name, _node);
        }

        bool progressed;
        try
        {
            progressed = await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if ((_dirty.Count > 0 || _dirtyInbox) && _ownedUntil > Now && RecordProgress)
            {
                await WriteAsync("lease", cancellationToken).ConfigureAwait(false);
            }
        }

        return progressed && _ownedUntil > 0;
    }

    /// <summary>Takes or renews the lease when less than two thirds of it remain; false when another node has it.</summary>
    private async Task<bool> EnsureLeaseAsync(CancellationToken cancellationToken)
    {
        if (_ownedUntil - Now > (long)(_options.LeaseDuration.TotalMilliseconds * 2 / 3))
        {
            return true;
        }

        return await WriteAsync("lease", cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        var from = _log.Inbox;
        if (await InboxChanges.ReadAsync(_store, _snapshots, from, 500, cancellationToken).ConfigureAwait(false) is not { } changes)
        {
            return false;
        }

        foreach (var key in changes.Keys)
        {
            await ConversationAsync(key, cancellationToken).ConfigureAwait(false);
            if (_dirty.Count > 0 && RecordProgress)
            {
                // After each conversation: a crash repeats at most the turns of one conversation, and those dedupe.
                if (!await WriteAsync("lease", cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }

        _log.Inbox = Math.Max(_log.Inbox, changes.Through);
        _dirtyInbox = true;
        return true;
    }

    /// <summary>Folds one conversation's ops after its cursor, in order, acting on each new one.</summary>
    private async Task ConversationAsync(string key, CancellationToken cancellationToken)
    {
        var channel = ChannelName.Conversation(key);
        var cursor = _log.Conversations.GetValueOrDefault(key);
        if (!_conversations.TryGetValue(key, out var state))
        {
            if (_conversations.Count >= MaxCached)
            {
                _conversations.Clear(); // rebuilt from the log when touched again
                _folded.Clear();
            }

            state = new BotConversation(BotId, _options.HistoryMessages);
            _conversations[key] = state;
            _folded[key] = 0;
        }

        // Everything after what this state has folded, up to the head now: ops up to the cursor were handled before
        // (by this node, or by another one before it took over) and are only folded; the ones after it are acted on.
        var ops = new List<OpRecord>();
        var after = _folded[key];
        while (true)
        {
            var page = await _store.ReadAsync(channel.Value, after, Page, cancellationToken).ConfigureAwait(false);
            ops.AddRange(page);
            if (page.Count < Page || ops.Count >= 20 * Page)
            {
                break;
            }

            after = page[^1].Revision;
        }

        var ids = new HashSet<string>(ops.Select(o => o.ClientOpId), StringComparer.Ordinal);
        var takesNew = _options.Takes == KefuBotTakes.NewConversations;
        try
        {
            await FoldAndActAsync(key, channel, state, ops, ids, cursor, takesNew, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The op being acted on is folded but not handled: forget the state, so the next pass rebuilds it from the
            // log up to the cursor and acts on that op again (what was posted of it dedupes).
            _conversations.Remove(key);
            _folded.Remove(key);
            throw;
        }

        if (state.Holding == BotHolding.People)
        {
            // People have it: nothing to keep in memory (an assignment back to the bot rebuilds it from the log).
            _conversations.Remove(key);
            _folded.Remove(key);
        }
    }

    private async Task FoldAndActAsync(string key, ChannelName channel, BotConversation state, List<OpRecord> ops, HashSet<string> ids, long cursor, bool takesNew, CancellationToken cancellationToken)
    {
        foreach (var record in ops)
        {
            var op = BotOp.Of(record);
            var step = state.Apply(op, takesNew, [.. _options.HumanKeywords]);
            _folded[key] = record.Revision;
            if (record.Revision <= cursor)
            {
                continue; // handled before: its assignment, answers or handover follow in the log and are folded too
            }

            if (record.Timestamp.ToUnixTimeMilliseconds() < _log.StartAt)
            {
                if (step == BotStep.Take)
                {
                    state.Release(); // a conversation from before the bot existed stays with people
                }
            }
            else if (step != BotStep.None)
            {
                await ActAsync(key, channel, state, op, step, ids, cancellationToken).ConfigureAwait(false);
            }

            cursor = record.Revision;
            _log.Conversations[key] = cursor;
            _dirty[key] = cursor;
        }
    }

    private async Task ActAsync(string key, ChannelName channel, BotConversation state, BotOp op, BotStep step, HashSet<string> ids, CancellationToken cancellationToken)
    {
        if (!await EnsureLeaseAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new OperationCanceledException("The bot's lease was lost.");
        }

        switch (step)
        {
            case BotStep.Take:
                await PostAsync(channel, OpId(op.Revision, "a"), Payload(w => { w.WriteString("k", "assign"); w.WriteString("to", BotId); }), cancellationToken).ConfigureAwait(false);
                await TurnAsync(key, channel, state, op, ids, cancellationToken).ConfigureAwait(false);
                break;
            case BotStep.Turn:
                await TurnAsync(key, channel, state, op, ids, cancellationToken).ConfigureAwait(false);
                break;
            case BotStep.HumanAsked:
                await HandoverAsync(channel, state, op.Revision, "The visitor asked for a person.", "visitor", cancellationToken).ConfigureAwait(false);
                break;
            case BotStep.AgentWrote:
                // The agent who answered takes the conversation over, as if they had assigned it to themselves.
                await PostAsync(channel, OpId(op.Revision, "a"), Payload(w => { w.WriteString("k", "assign"); w.WriteString("to", op.Author); }), cancellationToken).ConfigureAwait(false);
                _metrics.BotHandovers.Add(1, new KeyValuePair<string, object?>("why", "agent"));
                Log.TakenOver(_logger, Name, key, op.Author);
                break;
        }
    }

    private async Task TurnAsync(string key, ChannelName channel, BotConversation state, BotOp op, HashSet<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Contains(OpId(op.Revision, "e")) || ids.Contains(OpId(op.Revision, "h")))
        {
            return; // answered in full before a crash, which came before the cursor was recorded: not asked again
        }

        var message = new KefuBotMessage { Revision = op.Revision, Role = op.Role ?? "visitor", Name = op.Name ?? "", Text = op.Text ?? "", Timestamp = op.Timestamp };
        var context = new KefuBotContext
        {
            ConversationKey = key,
            NewMessages = [message],
            History = state.Recent,
            VisitorId = state.VisitorId,
            VisitorName = state.VisitorName,
            Language = state.LanguageFor(op.Text),
        };

        KefuBotAnswer answer;
        try
        {
            answer = await AskBotAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var why = ex is TimeoutException ? "timeout" : "error";
            _metrics.BotFailures.Add(1, new KeyValuePair<string, object?>("reason", why));
            Log.BotFailed(_logger, Name, key, op.Revision, why, ex);
            await HandoverAsync(channel, state, op.Revision, why == "timeout" ? "The bot did not answer in time." : "The bot failed.", why, cancellationToken).ConfigureAwait(false);
            return;
        }

        _metrics.BotTurns.Add(1);
        var texts = answer.Messages.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        for (var n = 0; n < texts.Count; n++)
        {
            // The turn's last op ends it (`e`, or the handover's `h`): a resume that finds it does not ask again; one that
            // finds only earlier parts asks again, and what was posted dedupes.
            var text = texts[n];
            var id = OpId(op.Revision, n == texts.Count - 1 && !answer.HandsOver ? "e" : n.ToString(CultureInfo.InvariantCulture));
            var result = await _committer.SubmitAsync(_principal, channel, id, 0, Payload(w => { w.WriteString("k", "msg"); w.WriteString("text", text); }), cancellationToken).ConfigureAwait(false);
            if (!result.Committed)
            {
                if (result.Retry)
                {
                    throw new InvalidOperationException($"Posting the bot's answer failed ({result.ErrorCode}): {result.ErrorMessage}");
                }

                // Refused for good (too long, not text): the visitor still gets an answer, from a person.
                Log.AnswerRefused(_logger, Name, key, result.ErrorCode!, result.ErrorMessage!);
                _metrics.BotFailures.Add(1, new KeyValuePair<string, object?>("reason", "error"));
                await HandoverAsync(channel, state, op.Revision, "The bot's answer was refused.", "error", cancellationToken).ConfigureAwait(false);
                return;
            }

            state.Remember(new BotOp(result.Revision, id, BotId, _time.GetUtcNow(), "msg", "bot", _options.DisplayName, text, null, null, false));
        }

        if (answer.HandsOver)
        {
            var reason = answer.HandoverReason is { Length: > MessageOps.MaxHandoverReasonChars } r ? r[..MessageOps.MaxHandoverReasonChars] : answer.HandoverReason;
            await HandoverAsync(channel, state, op.Revision, reason, "bot", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Calls the bot in its own scope, bounded by the timeout on the host's clock (a bot that ignores its token is still cut off).</summary>
    private async Task<KefuBotAnswer> AskBotAsync(KefuBotContext context, CancellationToken cancellationToken)
    {
        await using var scope = _services.CreateAsyncScope();
        var bot = (IKefuBot)scope.ServiceProvider.GetRequiredService(_botType);
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var answer = await bot.AnswerAsync(context, linked.Token).WaitAsync(_options.Timeout, _time, cancellationToken).ConfigureAwait(false);
            return answer ?? KefuBotAnswer.None;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The bot did not answer within {_options.Timeout}.");
        }
    }

    private async Task HandoverAsync(ChannelName channel, BotConversation state, long revision, string? reason, string why, CancellationToken cancellationToken)
    {
        await PostAsync(channel, OpId(revision, "h"), Payload(w =>
        {
            w.WriteString("k", "handover");
            if (reason is not null)
            {
                w.WriteString("reason", reason);
            }
        }), cancellationToken).ConfigureAwait(false);
        state.Release();
        _metrics.BotHandovers.Add(1, new KeyValuePair<string, object?>("why", why));
        Log.HandedOver(_logger, Name, channel.Key, why);
    }

    /// <summary>Posts a server op; a refusal other than a retryable one is logged (the step is not repeated for it).</summary>
    private async Task PostAsync(ChannelName channel, string id, byte[] payload, CancellationToken cancellationToken)
    {
        var result = await _committer.SubmitAsync(_principal, channel, id, 0, payload, cancellationToken).ConfigureAwait(false);
        if (!result.Committed)
        {
            if (result.Retry)
            {
                throw new InvalidOperationException($"The bot's op {id} failed ({result.ErrorCode}): {result.ErrorMessage}");
            }

            Log.AnswerRefused(_logger, Name, channel.Key, result.ErrorCode!, result.ErrorMessage!);
        }
    }

    /// <summary>The deterministic id of what the bot writes for the op at <paramref name="revision"/> (see the remarks).</summary>
    private string OpId(long revision, string part) => "~" + _options.Name + ":" + revision.ToString(CultureInfo.InvariantCulture) + ":" + part;

    private static byte[] Payload(Action<Utf8JsonWriter> members) => JsonRecord.Write(members);

    /// <summary>
    /// Appends a <c>lease</c> or <c>release</c> record with the progress not yet recorded, at the head this node knows. A
    /// conflict is re-read: another node holding the lease means this one lost it (false).
    /// </summary>
    private async Task<bool> WriteAsync(string kind, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var until = kind == "lease" ? Now + (long)_options.LeaseDuration.TotalMilliseconds : 0;
            var cursors = RecordProgress ? new Dictionary<string, long>(_dirty, StringComparer.Ordinal) : [];
            var inbox = RecordProgress && _dirtyInbox ? _log.Inbox : (long?)null;
            var payload = BotLog.Record(kind, _node, until, inbox, cursors);
            var expected = _log.Head;
            var result = await _store.AppendAsync(_log.Channel, expected, new OpDraft($"{kind}:{_node}:{expected}", _node, _time.GetUtcNow(), payload), cancellationToken).ConfigureAwait(false);
            if (result.Status == AppendStatus.Conflict)
            {
                await _logChannel.CatchUpAsync(cancellationToken).ConfigureAwait(false);
                var holder = _log.HolderAt(Now);
                if (holder is not null && holder != _node)
                {
                    _ownedUntil = 0;
                    Log.LeaseLost(_logger, Name, holder);
                    return false;
                }

                continue;
            }

            if (result.Status == AppendStatus.Appended && result.Revision == _log.Head + 1)
            {
                _log.Apply(result.Revision, payload);
            }
            else
            {
                await _logChannel.CatchUpAsync(cancellationToken).ConfigureAwait(false); // our own append, whose answer was lost
            }

            foreach (var (key, revision) in cursors)
            {
                if (_dirty.TryGetValue(key, out var now) && now == revision)
                {
                    _dirty.Remove(key);
                }
            }

            _dirtyInbox = inbox is null && _dirtyInbox;
            _ownedUntil = until;
            await _logChannel.CompactAsync(ex => Log.SnapshotFailed(_logger, Name, ex), cancellationToken).ConfigureAwait(false);
            return true;
        }

        return false;
    }
}
