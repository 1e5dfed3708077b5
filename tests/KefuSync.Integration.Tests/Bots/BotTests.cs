using System.Collections.Concurrent;
using System.Text.Json;
using KefuSync.Bots;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace KefuSync.Integration.Tests.Bots;

/// <summary>
/// A bot registered with <c>AddBot</c>, driven by real visitor and agent connections: what it answers, when it lets go,
/// and that a crash does not make it answer twice. The nodes share one store (as Redis or a database would be) and run
/// on a clock the test moves (lease expiry, the bot's timeout).
/// </summary>
public sealed class BotTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOpStore _store = new();
    private readonly BotScript _script = new();

    /// <summary>What the test bot does: by default it echoes, so each answer names the message it answers.</summary>
    public sealed class BotScript
    {
        public ConcurrentQueue<KefuBotContext> Calls { get; } = new();

        public Func<KefuBotContext, CancellationToken, Task<KefuBotAnswer>> Answer { get; set; } =
            (c, _) => Task.FromResult(KefuBotAnswer.Reply("echo: " + c.NewMessages[0].Text));
    }

    public sealed class ScriptedBot(BotScript script) : IKefuBot
    {
        public Task<KefuBotAnswer> AnswerAsync(KefuBotContext context, CancellationToken cancellationToken)
        {
            script.Calls.Enqueue(context);
            return script.Answer(context, cancellationToken);
        }
    }

    private Task<KefuTestHost> NodeAsync(Action<KefuBotOptions>? configure = null)
        => KefuTestHost.StartAsync(
            time: _time,
            kefu: k => k.AddBot<ScriptedBot>(o =>
            {
                o.DisplayName = "Helper";
                configure?.Invoke(o);
            }),
            services: s =>
            {
                s.AddSingleton(_script);
                s.AddSingleton(_store);
                s.AddSingleton<IOpStore>(_store);
                s.AddSingleton<ISnapshotStore>(_store);
            });

    private static string NodeId(KefuTestHost host) => host.Services.GetRequiredService<KefuSync.Sync.NodeIdentity>().Id;

    private static BotRunner Runner(KefuTestHost host) => host.Services.GetServices<IHostedService>().OfType<BotDispatchService>().Single().Runner;

    /// <summary>Waits (real time, at most 20 s) until <paramref name="done"/>; with <paramref name="advance"/>, moves the clock by it between looks.</summary>
    private async Task UntilAsync(Func<Task<bool>> done, string what, TimeSpan? advance = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting until " + what);
            if (advance is { } by)
            {
                _time.Advance(by);
            }

            await Task.Delay(25);
        }
    }

    private async Task<List<(long Rev, string Id, string By, JsonElement Op)>> LogAsync(string key)
        => [.. (await _store.ReadAsync("conv:" + key, 0, 1000)).Select(r => (r.Revision, r.ClientOpId, r.Author, JsonDocument.Parse(r.Payload).RootElement.Clone()))];

    private async Task<List<string>> BotTextsAsync(string key)
        => [.. (await LogAsync(key)).Where(o => o.Op.GetProperty("k").GetString() == "msg" && o.Op.GetProperty("role").GetString() == "bot").Select(o => o.Op.GetProperty("text").GetString()!)];

    private async Task<bool> HasHandoverAsync(string key) => (await LogAsync(key)).Any(o => o.Op.GetProperty("k").GetString() == "handover");

    private static async Task<ConversationSummary?> SummaryAsync(KefuTestHost host, string key)
    {
        return await host.Services.GetRequiredService<InboxProjection>().FindAsync(key, CancellationToken.None);
    }

    private static async Task<(KefuTestClient Client, string Key)> VisitorAsync(KefuTestHost host)
    {
        var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        return (visitor, welcome.GetProperty("conv").GetString()!);
    }

    private static async Task<JsonElement> SubmitAsync(KefuTestClient client, string key, string id, object op)
    {
        await client.SendAsync(new { t = "submit", c = "c1", ch = "conv:" + key, id, rev = 0, op });
        return await client.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var i) && i.GetString() == id);
    }

    [Fact]
    public async Task TheBot_TakesANewConversation_AndAnswersEachVisitorMessageInOrder_AsTheBot()
    {
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor, key, $"v-{i}", new { k = "msg", text = $"question {i}" })));
        }

        await UntilAsync(async () => (await BotTextsAsync(key)).Count >= 3, "three answers");
        Assert.Equal(["echo: question 1", "echo: question 2", "echo: question 3"], await BotTextsAsync(key));
        var log = await LogAsync(key);
        var assign = Assert.Single(log, o => o.Op.GetProperty("k").GetString() == "assign");
        Assert.Equal("bot:assistant", assign.Op.GetProperty("to").GetString());
        Assert.All(log.Where(o => o.Op.GetProperty("role").GetString() == "bot"), o =>
        {
            Assert.Equal("bot:assistant", o.By);
            Assert.Equal("Helper", o.Op.GetProperty("name").GetString());
            Assert.StartsWith("~assistant:", o.Id, StringComparison.Ordinal);
        });

        // Each question asked of the bot once, in order.
        Assert.Equal(3, _script.Calls.Count);
        Assert.Equal(["question 1", "question 2", "question 3"], _script.Calls.Select(c => c.NewMessages.Single().Text));
        var third = _script.Calls.Last();
        // The history is the conversation in revision order as it stood when the bot was asked: everything before its answer
        // to the third question (the visitor typed faster than the bot answered, so it may hold an answer after the question).
        var answered = log.Single(o => o.Op.TryGetProperty("text", out var t) && t.GetString() == "echo: question 3").Rev;
        var before = log.Where(o => o.Op.GetProperty("k").GetString() == "msg" && o.Rev < answered).Select(o => o.Op.GetProperty("text").GetString());
        Assert.Equal(before, third.History.Select(m => m.Text));
        Assert.Equal("en", third.Language);
        Assert.Equal(key, third.ConversationKey);

        // Agents see it as the bot's.
        await UntilAsync(async () => (await SummaryAsync(host, key))?.LastText == "echo: question 3", "the inbox shows the last answer");
        var summary = (await SummaryAsync(host, key))!;
        Assert.Equal("bot:assistant", summary.Assignee);
        Assert.False(summary.Human);
    }

    [Fact]
    public async Task ANodeThatDiesBeforeRecordingItsCursor_IsResumedByAnother_WithoutAnsweringTwice()
    {
        var first = await NodeAsync();
        var (visitor, key) = await VisitorAsync(first);
        Runner(first).RecordProgress = false; // as if it died right after each answer
        Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "one" })));
        await UntilAsync(async () => (await BotTextsAsync(key)).Count == 1, "the first answer");
        Runner(first).SimulateCrash = true;
        await visitor.DisposeAsync();
        await first.DisposeAsync();
        var callsBefore = _script.Calls.Count;

        await using var second = await NodeAsync();
        var (visitor2, key2) = await VisitorAsync(second);
        await using var _ = visitor2;
        Assert.NotEqual(key, key2); // a second visitor, to give the new node something to do once it holds the lease
        Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor2, key2, "w-1", new { k = "msg", text = "two" })));

        // The dead node's lease must run out first; then the new node reads the first conversation from its start again.
        await UntilAsync(async () => (await BotTextsAsync(key2)).Count == 1, "the second node answers", advance: TimeSpan.FromSeconds(10));
        var secondNode = NodeId(second);
        await UntilAsync(async () => (await _store.ReadAsync(BotLog.ChannelOf("assistant"), 0, 1000)).Any(r => r.Author == secondNode && JsonDocument.Parse(r.Payload).RootElement.TryGetProperty("c", out var c) && c.TryGetProperty(key, out JsonElement _)), "the second node recorded the first conversation");

        Assert.Equal(["echo: one"], await BotTextsAsync(key));
        Assert.Single(await LogAsync(key), o => o.Op.GetProperty("k").GetString() == "assign");
        Assert.Equal(1, _script.Calls.Count - callsBefore); // only "two": "one" was answered already, the bot is not asked again
        Assert.Equal("two", _script.Calls.Last().NewMessages.Single().Text);
    }

    [Fact]
    public async Task TheBotsLog_IsSnapshottedAndTrimmed_AndANewNodeAnswersNothingTwice()
    {
        var first = await NodeAsync();
        Runner(first).SnapshotEvery = 3;
        var keys = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            // One conversation at a time, each answered before the next: one lease record (with its cursor) each.
            var (visitor, key) = await VisitorAsync(first);
            await using var _ = visitor;
            keys.Add(key);
            Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "q" + i })));
            await UntilAsync(async () => (await BotTextsAsync(key)).Count == 1, $"conversation {i} answered");
        }

        var channel = BotLog.ChannelOf("assistant");
        await UntilAsync(async () => await _store.GetSnapshotAsync(channel) is not null, "a snapshot of the bot's log");
        var records = await _store.ReadAsync(channel, 0, 1000);
        Assert.True(records[0].Revision > 1, "the bot's log was not trimmed behind its snapshot");

        // The first node has handled every op of the six, its own answers too (they come back through the inbox a moment
        // after they are committed), and recorded so: then the new node has nothing of theirs left to fold.
        foreach (var key in keys)
        {
            var last = await _store.GetRevisionAsync("conv:" + key);
            await UntilAsync(async () => (await RecordedAsync(channel)).Conversations.GetValueOrDefault(key) >= last, $"the first node recorded conversation {key} to its end");
        }
        await first.DisposeAsync(); // graceful: the lease is released with the last progress
        var callsBefore = _script.Calls.Count;

        // A new node starts from the snapshot and the records after it: it answers the new question, and none of the
        // six again (with the cursors lost it would fold them from the start; their answers would dedupe, the calls not).
        await using var second = await NodeAsync();
        var (visitor2, key2) = await VisitorAsync(second);
        await using var __ = visitor2;
        Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor2, key2, "v-1", new { k = "msg", text = "after" })));
        await UntilAsync(async () => (await BotTextsAsync(key2)).Count == 1, "the new node answers");
        Assert.Equal(["after"], _script.Calls.Skip(callsBefore).Select(c => c.NewMessages.Single().Text));
        foreach (var key in keys)
        {
            Assert.Single(await BotTextsAsync(key));
        }

        // Its cursors came from the snapshot: it never went back over the six (it would record their cursors again).
        var secondNode = NodeId(second);
        await UntilAsync(async () => (await _store.ReadAsync(channel, 0, 1000)).Any(r => r.Author == secondNode && Cursors(r).Contains(key2)), "the new node recorded its conversation");
        Assert.DoesNotContain(await _store.ReadAsync(channel, 0, 1000), r => r.Author == secondNode && Cursors(r).Intersect(keys).Any());

        // The bot's log as a node reads it: the snapshot, then the records after it.
        async Task<BotLog> RecordedAsync(string log)
        {
            var fold = new BotLog("assistant");
            if (await _store.GetSnapshotAsync(log) is { } snapshot)
            {
                fold.Restore(snapshot.Revision, snapshot.State.Span);
            }

            foreach (var record in await _store.ReadAsync(log, fold.Head, 1000))
            {
                fold.Apply(record.Revision, record.Payload.Span);
            }

            return fold;
        }

        static List<string> Cursors(OpRecord record)
            => JsonDocument.Parse(record.Payload).RootElement.TryGetProperty("c", out var c) ? [.. c.EnumerateObject().Select(p => p.Name)] : [];
    }

    /// <summary>A store that fails the first append of the given client op id, as a node dying mid-turn would leave it.</summary>
    private sealed class FailOnceStore(InMemoryOpStore inner, string failId) : IOpStore
    {
        private int _failed;

        public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
            => op.ClientOpId == failId && Interlocked.Exchange(ref _failed, 1) == 0
                ? throw new IOException("the store went away")
                : inner.AppendAsync(channel, expectedRevision, op, cancellationToken);

        public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default) => inner.GetRevisionAsync(channel, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default) => inner.ReadAsync(channel, afterRevision, maxCount, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default) => inner.ReadBeforeAsync(channel, beforeRevision, maxCount, cancellationToken);

        public Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default) => inner.FindClientOpAsync(channel, clientOpId, cancellationToken);

        public Task<long?> FindDuplicateAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken = default) => inner.FindDuplicateAsync(channel, clientOpId, sequence, cancellationToken);
    }

    [Fact]
    public async Task ATurnCutOffAfterItsFirstMessage_IsAskedAgain_AndEachMessageIsPostedOnce()
    {
        _script.Answer = (c, _) => Task.FromResult(KefuBotAnswer.Reply("part one", "part two"));
        await using var host = await KefuTestHost.StartAsync(
            time: _time,
            kefu: k => k.AddBot<ScriptedBot>(),
            services: s =>
            {
                s.AddSingleton(_script);
                s.AddSingleton<IOpStore>(new FailOnceStore(_store, "~assistant:1:e"));
            });
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hello" });

        // The first pass posts "part one" and fails on "part two"; the next pass (at the poll) asks again.
        await UntilAsync(async () => (await BotTextsAsync(key)).Count == 2, "both parts", advance: TimeSpan.FromSeconds(1));
        Assert.Equal(["part one", "part two"], await BotTextsAsync(key));
        Assert.Equal(2, _script.Calls.Count);
        Assert.Equal(["~assistant:1:0", "~assistant:1:e"], (await LogAsync(key)).Where(o => o.Op.GetProperty("role").GetString() == "bot" && o.Op.GetProperty("k").GetString() == "msg").Select(o => o.Id));
    }

    [Fact]
    public async Task ABotThatThrows_HandsTheConversationOverToPeople()
    {
        _script.Answer = (_, _) => throw new InvalidOperationException("the model is down");
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hello" });

        await UntilAsync(() => HasHandoverAsync(key), "the handover");
        var handover = (await LogAsync(key)).Single(o => o.Op.GetProperty("k").GetString() == "handover");
        Assert.Equal("bot", handover.Op.GetProperty("role").GetString());
        Assert.Equal("The bot failed.", handover.Op.GetProperty("reason").GetString());
        await UntilAsync(async () => (await SummaryAsync(host, key))?.Human == true, "the inbox marks it as needing a person");
        Assert.Null((await SummaryAsync(host, key))!.Assignee);

        // People have it now: the bot is not asked again.
        await SubmitAsync(visitor, key, "v-2", new { k = "msg", text = "anyone?" });
        await UntilAsync(async () => (await SummaryAsync(host, key))?.LastText == "anyone?", "the inbox saw the second message");
        Assert.Single(_script.Calls);
    }

    [Fact]
    public async Task ABotThatTakesTooLong_HandsOver_AtTheTimeout()
    {
        _script.Answer = async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, CancellationToken.None); // ignores its token: it is cut off anyway
            return KefuBotAnswer.None;
        };
        await using var host = await NodeAsync(o => o.Timeout = TimeSpan.FromSeconds(5));
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hello" });
        await UntilAsync(() => Task.FromResult(!_script.Calls.IsEmpty), "the bot is asked");
        Assert.False(await HasHandoverAsync(key));

        await UntilAsync(() => HasHandoverAsync(key), "the handover at the timeout", advance: TimeSpan.FromSeconds(1));
        var handover = (await LogAsync(key)).Single(o => o.Op.GetProperty("k").GetString() == "handover");
        Assert.Equal("The bot did not answer in time.", handover.Op.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task TheBotsOwnHandover_PostsItsLastMessage_ThenHandsOver()
    {
        _script.Answer = (c, _) => Task.FromResult(c.NewMessages[0].Text.Contains("refund", StringComparison.Ordinal)
            ? KefuBotAnswer.Handover("Refund request", "I'll connect you with a colleague.")
            : KefuBotAnswer.Reply("Hello!"));
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hi" });
        // The reply to "hi" first: a second message sent before it would (rightly) come between them in the log.
        await UntilAsync(async () => (await LogAsync(key)).Any(o => o.Op.TryGetProperty("text", out var t) && t.GetString() == "Hello!"), "the bot's reply");
        await SubmitAsync(visitor, key, "v-2", new { k = "msg", text = "I want a refund" });
        await UntilAsync(() => HasHandoverAsync(key), "the handover");
        var log = await LogAsync(key);
        Assert.Equal(["hi", "Hello!", "I want a refund", "I'll connect you with a colleague."], log.Where(o => o.Op.GetProperty("k").GetString() == "msg").Select(o => o.Op.GetProperty("text").GetString()));
        Assert.Equal("Refund request", log[^1].Op.GetProperty("reason").GetString());
        Assert.Equal("handover", log[^1].Op.GetProperty("k").GetString());
    }

    [Theory]
    [InlineData("button")]
    [InlineData("keyword")]
    public async Task TheVisitor_AsksForAPerson_AndTheBotStops(string how)
    {
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hi" });
        await UntilAsync(async () => (await BotTextsAsync(key)).Count == 1, "the first answer");

        if (how == "button")
        {
            Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor, key, "v-2", new { k = "handover" })));
        }
        else
        {
            await SubmitAsync(visitor, key, "v-2", new { k = "msg", text = "人工" });
            await UntilAsync(() => HasHandoverAsync(key), "the bot's handover");
        }

        var handover = (await LogAsync(key)).Single(o => o.Op.GetProperty("k").GetString() == "handover");
        Assert.Equal(how == "button" ? "visitor" : "bot", handover.Op.GetProperty("role").GetString());
        await UntilAsync(async () => (await SummaryAsync(host, key)) is { Human: true, Assignee: null }, "the inbox marks it as needing a person");
        await SubmitAsync(visitor, key, "v-3", new { k = "msg", text = "still there?" });
        await UntilAsync(async () => (await SummaryAsync(host, key))?.LastText == "still there?", "the inbox saw the next message");
        Assert.Single(_script.Calls); // "人工" and "still there?" never reached the bot
        Assert.Single(await BotTextsAsync(key));
    }

    [Theory]
    [InlineData("assign")]
    [InlineData("message")]
    public async Task AnAgentTakesOver_AndTheBotStops(string how)
    {
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hi" });
        await UntilAsync(async () => (await BotTextsAsync(key)).Count == 1, "the first answer");
        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(alice, key, "a-1", how == "assign" ? new { k = "assign", to = "agent:alice" } : new { k = "msg", text = "Alice here." })));

        await UntilAsync(async () => (await SummaryAsync(host, key))?.Assignee == "agent:alice", "the conversation is Alice's");
        await SubmitAsync(visitor, key, "v-2", new { k = "msg", text = "thanks" });
        await UntilAsync(async () => (await SummaryAsync(host, key))?.LastText == "thanks", "the inbox saw the next message");
        Assert.Single(_script.Calls);
        Assert.False((await SummaryAsync(host, key))!.Human); // an agent has it: nothing waits for a person
        Assert.False(await HasHandoverAsync(key));
    }

    [Fact]
    public async Task AVisitor_CannotForgeTheBotsMessages_ItsHandover_OrPreemptItsOpIds()
    {
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;

        // The bot's deterministic ids are the server's: a visitor submitting one first would have the bot's answer dropped.
        var preempt = await SubmitAsync(visitor, key, "~assistant:1:0", new { k = "msg", text = "I am the bot" });
        Assert.Equal("error", KefuTestClient.Type(preempt));
        Assert.Equal("forbidden", preempt.GetProperty("code").GetString());

        // A role or author in the op is not read: the message and the handover are the visitor's.
        Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hi", role = "bot", name = "Helper", by = "bot:assistant" })));
        await UntilAsync(async () => (await BotTextsAsync(key)).Count == 1, "the bot's answer");
        Assert.Equal("ack", KefuTestClient.Type(await SubmitAsync(visitor, key, "v-2", new { k = "handover", from = "bot:assistant", role = "bot", reason = "<b>bot says</b>" })));
        var log = await LogAsync(key);
        Assert.Equal("visitor", log.Single(o => o.Id == "v-1").Op.GetProperty("role").GetString());
        var handover = log.Single(o => o.Id == "v-2");
        Assert.Equal("visitor", handover.Op.GetProperty("role").GetString());
        Assert.NotEqual("bot:assistant", handover.By);
        Assert.False(handover.Op.TryGetProperty("from", out JsonElement _));
        Assert.Equal("<b>bot says</b>", handover.Op.GetProperty("reason").GetString()); // stored as text; clients render it as text

        // Nor can a visitor give the conversation to the bot (or anyone).
        var assign = await SubmitAsync(visitor, key, "v-3", new { k = "assign", to = "bot:assistant" });
        Assert.Equal("forbidden", assign.GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnAgentCannotHandOver_TheyAssign()
    {
        await using var host = await NodeAsync();
        var (visitor, key) = await VisitorAsync(host);
        await using var _ = visitor;
        await SubmitAsync(visitor, key, "v-1", new { k = "msg", text = "hi" });
        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        var refused = await SubmitAsync(alice, key, "a-1", new { k = "handover" });
        Assert.Equal("forbidden", refused.GetProperty("code").GetString());
    }
}
