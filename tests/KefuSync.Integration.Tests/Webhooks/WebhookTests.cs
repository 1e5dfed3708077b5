using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Sync;
using KefuSync.Tests.Shared;
using KefuSync.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace KefuSync.Integration.Tests.Webhooks;

/// <summary>
/// Webhooks from the op log to a real receiver (Kestrel on 127.0.0.1) that verifies every signature. The nodes run on a
/// clock the test moves (retry delays, polls, lease expiry); events a node's own inbox commits go out at once, so no
/// test waits out a real delay.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private static readonly KefuSender Bot = new("bot:helper", "Helper");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryOpStore _store = new();
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(_time);

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private Task<KefuTestHost> NodeAsync(Action<KefuWebhookDeliveryOptions>? configure = null, string[]? events = null)
        => KefuTestHost.StartAsync(
            o =>
            {
                o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1; the default refuses it (see below)
                o.Webhooks.RetryDelay = TimeSpan.FromSeconds(1);
                o.Webhooks.MaxRetryDelay = TimeSpan.FromSeconds(4);
                configure?.Invoke(o.Webhooks);
            },
            time: _time,
            kefu: k => k.AddWebhook("crm", _receiver.Url, WebhookReceiver.Secret, events ?? []).AddHealthChecks(),
            services: s =>
            {
                // One store for every node of a test, as Redis or a database would be.
                s.AddSingleton(_store);
                s.AddSingleton<IOpStore>(_store);
                s.AddSingleton<ISnapshotStore>(_store);
            });

    private static WebhookRunner Runner(KefuTestHost host) => host.Services.GetServices<IHostedService>().OfType<WebhookDeliveryService>().Single().Runners.Single();

    private static string NodeId(KefuTestHost host) => host.Services.GetRequiredService<NodeIdentity>().Id;

    private static Task<KefuWebhookStatus> StatusAsync(KefuTestHost host)
        => host.Services.GetRequiredService<IKefuWebhooks>().GetStatusAsync().ContinueWith(t => t.Result.Single(), TaskScheduler.Default);

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

    private Task UntilAsync(Func<bool> done, string what, TimeSpan? advance = null) => UntilAsync(() => Task.FromResult(done()), what, advance);

    [Fact]
    public async Task EveryEventType_IsDelivered_Signed_InOrder_WithItsPayload()
    {
        await using var host = await NodeAsync();
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        var key = welcome.GetProperty("conv").GetString()!;
        var ch = "conv:" + key;
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "Is the oolong in stock?" } });
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-2", rev = 1, op = new { k = "contact", email = "ada@example.com", lang = "en" } });
        await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-2");
        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        async Task AgentAsync(string id, object op)
        {
            await alice.SendAsync(new { t = "submit", c = "a", ch, id, rev = 0, op });
            await alice.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == id);
        }

        await AgentAsync("a-1", new { k = "read", upTo = 2 }); // rev 3: no event
        await AgentAsync("a-2", new { k = "msg", text = "Yes, 40 tins." }); // rev 4
        await AgentAsync("a-3", new { k = "edit", target = 4, text = "Yes, 41 tins." });
        await AgentAsync("a-4", new { k = "recall", target = 4 });
        await AgentAsync("a-5", new { k = "assign", to = "agent:alice" });
        await AgentAsync("a-6", new { k = "assign", to = (string?)null });
        await AgentAsync("a-7", new { k = "status", status = "closed" });
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-3", rev = 9, op = new { k = "rate", score = 4, comment = "Fast" } }); // rev 10
        await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-3");
        Assert.True((await host.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(key, "Anything else?", Bot, "b-1")).Committed); // rev 11

        await UntilAsync(() => _receiver.Received.Count >= 11, "eleven events arrived");
        var got = _receiver.Received;
        Assert.All(got, r => Assert.True(r.Verified, $"{r.Id}: the signature does not verify"));
        Assert.Equal(
            ["conversation.created", "message.created", "visitor.identified", "message.created", "message.edited", "message.recalled", "conversation.assigned", "conversation.assigned", "conversation.status_changed", "conversation.rated", "message.created"],
            got.Select(r => r.Type));
        Assert.Equal([$"kefu_{key}_0", $"kefu_{key}_1", $"kefu_{key}_2", $"kefu_{key}_4", $"kefu_{key}_5", $"kefu_{key}_6", $"kefu_{key}_7", $"kefu_{key}_8", $"kefu_{key}_9", $"kefu_{key}_10", $"kefu_{key}_11"], got.Select(r => r.Id));
        Assert.All(got, r => Assert.Equal(key, r.Conversation));

        var data = got.Select(r => r.Json.GetProperty("data")).ToList();
        Assert.Equal(1, data[0].GetProperty("revision").GetInt64());
        Assert.Equal("visitor", data[0].GetProperty("author").GetProperty("role").GetString());
        Assert.Equal("Is the oolong in stock?", data[1].GetProperty("text").GetString());
        Assert.Equal("visitor", data[1].GetProperty("author").GetProperty("role").GetString());
        Assert.Equal("ada@example.com", data[2].GetProperty("email").GetString());
        Assert.Equal("en", data[2].GetProperty("lang").GetString());
        Assert.Equal("Yes, 40 tins.", data[3].GetProperty("text").GetString());
        Assert.Equal("agent", data[3].GetProperty("author").GetProperty("role").GetString());
        Assert.Equal("alice", data[3].GetProperty("author").GetProperty("name").GetString());
        Assert.Equal(4, data[4].GetProperty("target").GetInt64());
        Assert.Equal("Yes, 41 tins.", data[4].GetProperty("text").GetString());
        Assert.Equal(4, data[5].GetProperty("target").GetInt64());
        Assert.False(data[5].TryGetProperty("text", out _));
        Assert.Equal("agent:alice", data[6].GetProperty("assignee").GetString());
        Assert.Equal(JsonValueKind.Null, data[7].GetProperty("assignee").ValueKind);
        Assert.Equal("closed", data[8].GetProperty("status").GetString());
        Assert.Equal(4, data[9].GetProperty("score").GetInt64());
        Assert.Equal("Fast", data[9].GetProperty("comment").GetString());
        Assert.Equal("visitor", data[9].GetProperty("author").GetProperty("role").GetString());
        Assert.Equal("bot", data[10].GetProperty("author").GetProperty("role").GetString());
        Assert.Equal("bot:helper", data[10].GetProperty("author").GetProperty("id").GetString());
        Assert.Equal(11, data[10].GetProperty("revision").GetInt64());
        Assert.Equal(_time.GetUtcNow(), got[10].Json.GetProperty("timestamp").GetDateTimeOffset());

        var status = await StatusAsync(host);
        await UntilAsync(async () => (await StatusAsync(host)).Delivered == 11, "the deliveries are recorded");
        Assert.Equal(KefuWebhookState.Active, status.State);
        Assert.Equal(NodeId(host), status.Node);
        Assert.Empty(status.RecentFailures);
    }

    [Fact]
    public async Task TheEventFilter_SendsOnlyTheTypesAsked()
    {
        await using var host = await NodeAsync(events: [KefuWebhookEvents.ConversationCreated]);
        var service = host.Services.GetRequiredService<IKefuSyncService>();
        foreach (var i in Enumerable.Range(1, 3))
        {
            Assert.True((await service.PostMessageAsync(ConversationKeys.ForVisitor("filter-" + i), "hello", Bot, "b-1")).Committed);
            Assert.True((await service.PostMessageAsync(ConversationKeys.ForVisitor("filter-" + i), "again", Bot, "b-2")).Committed);
        }

        await UntilAsync(() => _receiver.Received.Count >= 3, "three creations arrived");
        await UntilAsync(async () => (await _store.ReadAsync(WebhookLog.ChannelOf("crm"), 0, 100)).Count > 1 && (await StatusAsync(host)).Delivered == 3, "recorded");
        Assert.All(_receiver.Received, r => Assert.Equal("conversation.created", r.Type));
        Assert.Equal(3, _receiver.Received.Count);
    }

    [Fact]
    public async Task ManyConversations_GoOutInParallel_EachInOrder_EachEventOnce()
    {
        await using var host = await NodeAsync(o => o.MaxConcurrency = 4);
        var service = host.Services.GetRequiredService<IKefuSyncService>();
        var keys = Enumerable.Range(0, 12).Select(i => ConversationKeys.ForVisitor("order-" + i)).ToArray();
        await Task.WhenAll(keys.Select(key => Task.Run(async () =>
        {
            for (var m = 1; m <= 25; m++)
            {
                Assert.True((await service.PostMessageAsync(key, $"#{m}", Bot, $"b-{m}")).Committed);
            }
        })));

        await UntilAsync(() => _receiver.Received.Count >= 12 * 26, "every event arrived");
        var got = _receiver.Received;
        Assert.Equal(12 * 26, got.Count);
        Assert.Equal(got.Count, got.Select(r => r.Id).Distinct().Count());
        foreach (var key in keys)
        {
            var mine = got.Where(r => r.Conversation == key).ToList();
            Assert.Equal("conversation.created", mine[0].Type);
            Assert.Equal(Enumerable.Range(1, 25).Select(m => (long)m), mine.Skip(1).Select(r => r.Revision));
            Assert.Equal(Enumerable.Range(1, 25).Select(m => $"#{m}"), mine.Skip(1).Select(r => r.Json.GetProperty("data").GetProperty("text").GetString()));
        }
    }

    [Fact]
    public async Task AReceiverAnswering500ThenOk_GetsTheSameWebhookIdAgain()
    {
        _receiver.Respond = (n, _) => Task.FromResult(n == 0 ? 500 : 200);
        await using var host = await NodeAsync();
        var key = ConversationKeys.ForVisitor("retry");
        Assert.True((await host.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(key, "hello", Bot, "b-1")).Committed);

        await UntilAsync(() => _receiver.Received.Count >= 1, "the first attempt");
        Assert.Single(_receiver.Received); // the retry waits for its back-off, on the clock
        await UntilAsync(() => _receiver.Received.Count >= 3, "the retry and the next event", advance: TimeSpan.FromMilliseconds(500));

        var got = _receiver.Received;
        Assert.Equal($"kefu_{key}_0", got[0].Id);
        Assert.Equal(got[0].Id, got[1].Id); // the same event again: a receiver can drop the repeat
        Assert.Equal(got[0].Body, got[1].Body);
        Assert.All(got, r => Assert.True(r.Verified));
        Assert.Equal($"kefu_{key}_1", got[2].Id);
        await UntilAsync(async () => (await StatusAsync(host)).RecentFailures.Count == 1, "the failure is recorded");
        var failure = (await StatusAsync(host)).RecentFailures.Single();
        Assert.Equal(500, failure.StatusCode);
        Assert.Equal(1, failure.Attempt);
        Assert.Equal(got[0].Id, failure.EventId);
        Assert.Equal(KefuWebhookState.Active, (await StatusAsync(host)).State);
    }

    [Fact]
    public async Task ANodeThatCrashesMidABurstOf1000_IsResumedFromTheCursor_WithoutLoss_RepeatsCarryTheSameId()
    {
        var block = new TaskCompletionSource();
        _receiver.Respond = async (n, _) =>
        {
            if (n >= 400)
            {
                await block.Task; // the receiver hangs: the node dies with this request open
            }

            return 200;
        };
        var first = await NodeAsync(o => o.MaxConcurrency = 2);
        var service = first.Services.GetRequiredService<IKefuSyncService>();
        var keys = Enumerable.Range(0, 5).Select(i => ConversationKeys.ForVisitor("crash-" + i)).ToArray();
        foreach (var key in keys)
        {
            for (var m = 1; m <= 200; m++)
            {
                Assert.True((await service.PostMessageAsync(key, $"#{m}", Bot, $"b-{m}")).Committed);
            }
        }

        await UntilAsync(() => _receiver.Received.Count >= 400, "400 events arrived");
        Runner(first).SimulateCrash = true;
        await first.DisposeAsync();
        // Counted once the node is gone: a request it sent after the 400th (the second of its two in flight) arrives
        // late, and counted before the crash it looked like the new node's, out of order behind the resent tail.
        var beforeCrash = _receiver.Received.Count;
        block.SetResult();
        _receiver.Respond = (_, _) => Task.FromResult(200);

        await using var second = await NodeAsync(o => o.MaxConcurrency = 2);
        // The dead node's lease runs out first; then the new node takes over.
        await UntilAsync(async () => (await StatusAsync(second)).Node == NodeId(second), "the new node holds the lease", advance: TimeSpan.FromSeconds(5));
        await UntilAsync(() => _receiver.Received.Select(r => r.Id).Distinct().Count() >= 5 * 201, "every event arrived");

        var got = _receiver.Received;
        var expected = keys.SelectMany(key => Enumerable.Range(0, 201).Select(r => $"kefu_{key}_{r}")).ToHashSet();
        Assert.True(expected.SetEquals(got.Select(r => r.Id)), "lost or unknown events");
        foreach (var repeat in got.GroupBy(r => r.Id).Where(g => g.Count() > 1))
        {
            Assert.All(repeat, r => Assert.Equal(repeat.First().Body, r.Body));
        }

        // Resumed from the recorded cursor, not from the beginning: the new node resent at most the unrecorded tail.
        var sentBefore = got.Take(beforeCrash).Select(r => r.Id).ToHashSet();
        var resent = got.Skip(beforeCrash).Count(r => sentBefore.Contains(r.Id));
        Assert.True(resent < beforeCrash, $"the new node resent {resent} of the {beforeCrash} events sent before the crash");
        foreach (var key in keys)
        {
            var after = got.Skip(beforeCrash).Where(r => r.Conversation == key && r.Type != "conversation.created").Select(r => r.Revision).ToList();
            Assert.Equal(after.Order(), after); // in order per conversation
        }
    }

    [Fact]
    public async Task TheDeliveryLog_IsSnapshottedAndTrimmed_AndAGracefulRestartResendsNothing()
    {
        var first = await NodeAsync();
        Runner(first).SnapshotEvery = 3;
        var service = first.Services.GetRequiredService<IKefuSyncService>();
        for (var i = 0; i < 8; i++)
        {
            // One conversation at a time, each delivered before the next: several passes, so several records.
            Assert.True((await service.PostMessageAsync(ConversationKeys.ForVisitor("compact-" + i), "hi", Bot, "b-1")).Committed);
            await UntilAsync(() => _receiver.Received.Count >= 2 * (i + 1), $"conversation {i} delivered");
            await UntilAsync(async () => (await StatusAsync(first)).Delivered == 2 * (i + 1), $"conversation {i} recorded");
        }

        var channel = WebhookLog.ChannelOf("crm");
        var snapshot = await _store.GetSnapshotAsync(channel);
        Assert.NotNull(snapshot);
        var records = await _store.ReadAsync(channel, 0, 1000);
        Assert.True(records[0].Revision > 1, "the log was not trimmed behind its snapshot");
        await first.DisposeAsync(); // graceful: the lease is released with the last progress

        await using var second = await NodeAsync();
        Assert.True((await second.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(ConversationKeys.ForVisitor("compact-after"), "hi", Bot, "b-1")).Committed);
        await UntilAsync(() => _receiver.Received.Count >= 18, "the new conversation delivered");
        await Task.Delay(200);
        Assert.Equal(18, _receiver.Received.Count); // nothing resent: the cursors came from the snapshot and the records after it
        Assert.Equal(18, _receiver.Received.Select(r => r.Id).Distinct().Count());
        var status = await StatusAsync(second);
        await UntilAsync(async () => (await StatusAsync(second)).Delivered == 18, "the count carried over");
    }

    [Fact]
    public async Task TwoNodes_OnOneStore_DeliverEachEventOnce_AndTheSurvivorTakesOverAfterAKill()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var nodes = new[] { a, b };
        var stopped = new List<KefuTestHost>();
        try
        {
            await UntilAsync(async () => (await StatusAsync(a)).Node is not null, "a node holds the lease");
            var holderId = (await StatusAsync(b)).Node;
            var holder = nodes.Single(n => NodeId(n) == holderId);
            var other = nodes.Single(n => n != holder);

            // Conversations written on both nodes; the holder hears of the other node's at its polls.
            for (var i = 0; i < 10; i++)
            {
                var on = i % 2 == 0 ? holder : other;
                Assert.True((await on.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(ConversationKeys.ForVisitor("two-" + i), "hi", Bot, "b-1")).Committed);
            }

            await UntilAsync(() => _receiver.Received.Count >= 20, "every event arrived", advance: TimeSpan.FromMilliseconds(500));
            await Task.Delay(200);
            Assert.Equal(20, _receiver.Received.Count);
            Assert.Equal(20, _receiver.Received.Select(r => r.Id).Distinct().Count()); // once each: one node sent them
            Assert.Equal(holderId, (await StatusAsync(other)).Node);

            // The holder dies without a word; the other node takes over once the lease has run out.
            Runner(holder).SimulateCrash = true;
            stopped.Add(holder);
            await holder.DisposeAsync();
            var survivor = other;
            var service = survivor.Services.GetRequiredService<IKefuSyncService>();
            Assert.True((await service.PostMessageAsync(ConversationKeys.ForVisitor("two-after"), "still there?", Bot, "b-1")).Committed);
            await UntilAsync(async () => (await StatusAsync(survivor)).Node == NodeId(survivor), "the survivor holds the lease", advance: TimeSpan.FromSeconds(5));
            await UntilAsync(() => _receiver.Received.Any(r => r.Conversation == ConversationKeys.ForVisitor("two-after") && r.Type == "message.created"), "the survivor delivers");
        }
        finally
        {
            foreach (var node in nodes.Except(stopped))
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AnEndpointFailingEveryAttempt_IsPausedAfterTheBound_ShowsWhy_AndResumes()
    {
        _receiver.Respond = (_, _) => Task.FromResult(503);
        await using var host = await NodeAsync(o => o.MaxAttempts = 3);
        var key = ConversationKeys.ForVisitor("paused");
        Assert.True((await host.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(key, "hello", Bot, "b-1")).Committed);

        var webhooks = host.Services.GetRequiredService<IKefuWebhooks>();
        await UntilAsync(async () => (await StatusAsync(host)).State == KefuWebhookState.Paused, "the endpoint is paused", advance: TimeSpan.FromMilliseconds(500));
        var status = await StatusAsync(host);
        Assert.Equal(3, _receiver.Received.Count);
        Assert.All(_receiver.Received, r => Assert.Equal($"kefu_{key}_0", r.Id));
        Assert.Equal([1, 2, 3], status.RecentFailures.Select(f => f.Attempt));
        Assert.All(status.RecentFailures, f => Assert.Equal(503, f.StatusCode));
        Assert.Null(status.Node);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "kefusync-webhooks");
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("crm: HTTP 503", health.Entries["kefusync-webhooks"].Description, StringComparison.Ordinal);

        // Paused means nothing is sent, however long it waits.
        _time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(200);
        Assert.Equal(3, _receiver.Received.Count);

        _receiver.Respond = (_, _) => Task.FromResult(200);
        Assert.True(await webhooks.ResumeAsync("crm"));
        Assert.False(await webhooks.ResumeAsync("crm")); // not paused any more
        Assert.False(await webhooks.ResumeAsync("nobody"));
        await UntilAsync(() => _receiver.Received.Count >= 5, "the failed event and the next one", advance: TimeSpan.FromMilliseconds(500));
        Assert.Equal([$"kefu_{key}_0", $"kefu_{key}_1"], _receiver.Received.Skip(3).Select(r => r.Id));
        Assert.Equal(HealthStatus.Healthy, (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "kefusync-webhooks")).Status);
    }

    [Fact]
    public async Task ByDefault_AUrlThatResolvesTo127001_IsRefused_AndNothingIsSent()
    {
        await using var host = await NodeAsync(o =>
        {
            o.AllowPrivateNetworks = false; // the default
            o.MaxAttempts = 1;
        });
        Assert.StartsWith("http://127.0.0.1:", _receiver.Url, StringComparison.Ordinal);
        Assert.True((await host.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(ConversationKeys.ForVisitor("ssrf"), "hello", Bot, "b-1")).Committed);

        await UntilAsync(async () => (await StatusAsync(host)).State == KefuWebhookState.Paused, "the endpoint is paused");
        var failure = Assert.Single((await StatusAsync(host)).RecentFailures);
        Assert.Null(failure.StatusCode);
        Assert.StartsWith("refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address", failure.Error, StringComparison.Ordinal);
        Assert.Empty(_receiver.Received);
    }

    [Fact]
    public async Task ByDefault_ANameThatResolvesToLoopback_IsRefusedAtConnectTime()
    {
        // "localhost" passes any URL check; only the address the socket would connect to tells.
        var refused = await Assert.ThrowsAsync<WebhookAddressRefusedException>(async () =>
            await WebhookNetworkPolicy.ConnectAsync(new System.Net.DnsEndPoint("localhost", new Uri(_receiver.Url).Port), allowPrivate: false, CancellationToken.None));
        Assert.Contains("not a public address", refused.Message, StringComparison.Ordinal);
        await using var stream = await WebhookNetworkPolicy.ConnectAsync(new System.Net.DnsEndPoint("127.0.0.1", new Uri(_receiver.Url).Port), allowPrivate: true, CancellationToken.None);
        Assert.True(stream.CanWrite);
    }

    [Fact]
    public async Task NoClient_CanReadOrWriteTheDeliveryLog()
    {
        await using var host = await NodeAsync();
        Assert.NotEmpty(await _store.ReadAsync(WebhookLog.ChannelOf("crm"), 0, 10)); // the start record is there
        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        await alice.SendAsync(new { t = "sub", c = "a", ch = "webhook:crm", rev = 0 });
        var refused = await alice.WaitForTypeAsync("error");
        Assert.Equal("invalid_channel", refused.GetProperty("code").GetString());
        await alice.SendAsync(new { t = "submit", c = "a", ch = "webhook:crm", id = "x-1", rev = 1, op = new { k = "resume", at = 0 } });
        Assert.Equal("invalid_channel", (await alice.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.DoesNotContain(await _store.ReadAsync(WebhookLog.ChannelOf("crm"), 0, 10), r => r.ClientOpId == "x-1");
    }

    [Fact]
    public async Task ABadEndpoint_FailsTheStart_NamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => KefuTestHost.StartAsync(
            kefu: k => k.AddWebhook("crm", "ftp://example.com/", "secret", "message.deleted")));
        Assert.Contains("KefuSync:Webhooks:Endpoints:0:Url", error.Message, StringComparison.Ordinal);
        Assert.Contains("KefuSync:Webhooks:Endpoints:0:Secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("'message.deleted'", error.Message, StringComparison.Ordinal);
    }
}
