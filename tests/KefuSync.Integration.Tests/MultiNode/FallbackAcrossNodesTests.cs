using System.Net;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Redis;
using KefuSync.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>
/// Fallback sessions (event stream, long poll, POST) with no sticky sessions: two Kestrel nodes share one real Redis (store,
/// backplane and the Data Protection key ring), and a session opened on node A keeps working from node B
/// (docs/protocol.md §1.2).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FallbackAcrossNodesTests(RedisServerFixture redis)
{
    private readonly CapturedLogs _logs = new();

    /// <summary>Asserts 202, naming the relay's warnings when it is not, so a failure says why the hop failed.</summary>
    private async Task AcceptedAsync(Task<HttpStatusCode> send)
    {
        var status = await send;
        var relay = _logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => $"{e.Category}: {e.Message} {e.Exception?.GetType().Name}");
        Assert.True(status == HttpStatusCode.Accepted, $"expected 202, got {(int)status}; warnings: {string.Join(" | ", relay)}");
    }

    private async Task<(KefuTestHost A, KefuTestHost B)> StartNodesAsync(int longPollSeconds = 25)
    {
        var prefix = "fb" + Guid.NewGuid().ToString("N")[..8] + ":";
        // These tests are about relay semantics, not Redis latency. Under CI load (two cores, collections in parallel) a
        // 70 KB publish outlived the default 2 s budget's async timeout and the send answered 503, which is the designed
        // answer to a lost relay (the client reconnects, the outbox resends) but not what these tests look at.
        void Redis(KefuSyncRedisOptions r)
        {
            r.Configuration = redis.Configuration;
            r.KeyPrefix = prefix;
            r.OperationTimeout = TimeSpan.FromSeconds(10);
        }

        async Task<KefuTestHost> StartAsync() => await KefuTestHost.StartAsync(
            o => { o.Limits.FramesPerSecond = 1000; o.Limits.LongPollSeconds = longPollSeconds; },
            kestrel: true,
            // Separate key directories, as separate machines have: the shared ring comes from Redis alone.
            services: s => s.AddDataProtection().PersistKeysToFileSystem(Directory.CreateTempSubdirectory("kefu-fb-")),
            kefu: b => b.AddRedis(Redis).PersistDataProtectionKeysToRedis(),
            logs: _logs);
        return (await StartAsync(), await StartAsync());
    }

    private static string Sub(string ch, string c = "x") => $$"""{"t":"sub","c":"{{c}}","ch":"{{ch}}","rev":0}""";

    private static string Submit(string ch, string id, string text, string c = "x") =>
        $$$"""{"t":"submit","c":"{{{c}}}","ch":"{{{ch}}}","id":"{{{id}}}","rev":0,"op":{"k":"msg","text":"{{{text}}}"}}""";

    private static string Type(JsonElement frame) => frame.GetProperty("t").GetString()!;

    /// <summary>Polls (on the given node) until a frame matches; returns every frame seen and the last cursor.</summary>
    private static async Task<(List<JsonElement> Frames, long After)> PollUntilAsync(FallbackHttp node, string session, long after, Func<JsonElement, bool> until)
    {
        var frames = new List<JsonElement>();
        for (var i = 0; i < 50; i++)
        {
            var poll = await node.PollAsync(session, after);
            Assert.Equal(HttpStatusCode.OK, poll.Status);
            Assert.Equal(after + poll.Frames.Count, poll.Seq);
            after = poll.Seq;
            frames.AddRange(poll.Frames);
            if (poll.Frames.Any(until))
            {
                return (frames, after);
            }
        }

        throw new Xunit.Sdk.XunitException("the frame never came");
    }

    [Fact]
    public async Task Send_OnNodeB_ReachesTheSessionOpenedOnNodeA_AndItsStreamOnA()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            var (session, welcome) = await onA.ConnectAsync();
            var ch = "conv:" + welcome.GetProperty("conv").GetString();
            var (status, stream) = await onA.OpenEventsAsync(session);
            Assert.Equal(HttpStatusCode.OK, status);
            using (stream)
            {
                await AcceptedAsync(onB.SendAsync(session, Sub(ch), Submit(ch, "x-1", "sent through node B")));
                var seen = new List<JsonElement>();
                while (!seen.Any(f => Type(f) == "ack") || !seen.Any(f => Type(f) == "op"))
                {
                    seen.Add(Assert.NotNull(await stream!.NextAsync()).Frame);
                }

                Assert.Equal("x-1", seen.Single(f => Type(f) == "ack").GetProperty("id").GetString());
                Assert.Equal("sent through node B", seen.Single(f => Type(f) == "op").GetProperty("op").GetProperty("text").GetString());
            }

            Assert.Single(await a.Store.ReadAsync(ch, 0, 10));
        }
    }

    [Fact]
    public async Task EventStream_OnNodeB_CarriesTheSessionOpenedOnNodeA_AndResumesAfterLastEventId()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            var (session, welcome) = await onA.ConnectAsync();
            var ch = "conv:" + welcome.GetProperty("conv").GetString();
            await AcceptedAsync(onA.SendAsync(session, Sub(ch), Submit(ch, "x-1", "one"), Submit(ch, "x-2", "two")));

            // subbed, two ops, two acks (and presence frames): read the first three events on node B.
            var (status, first) = await onB.OpenEventsAsync(session);
            Assert.Equal(HttpStatusCode.OK, status);
            var events = new List<(long Id, JsonElement Frame)>();
            using (first)
            {
                while (events.Count < 3)
                {
                    events.Add(Assert.NotNull(await first!.NextAsync()));
                }
            }

            Assert.Equal([1L, 2, 3], events.Select(e => e.Id));

            // The stream dropped after event 3; the browser reconnects with Last-Event-ID 3, this time on node A.
            var (again, second) = await onA.OpenEventsAsync(session, lastEventId: 3);
            Assert.Equal(HttpStatusCode.OK, again);
            using (second)
            {
                await AcceptedAsync(onB.SendAsync(session, """{"t":"ping","q":"after-switch"}"""));
                while (!events.Any(e => Type(e.Frame) == "pong"))
                {
                    events.Add(Assert.NotNull(await second!.NextAsync()));
                }
            }

            // Every number once, in order, none skipped; every frame once.
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Id));
            var types = events.Select(e => Type(e.Frame)).Where(t => t != "presence").ToList();
            Assert.Equal(["ack", "ack", "op", "op", "subbed"], types.Take(5).Order());
            Assert.Equal(["pong"], types.Skip(5));
            Assert.Equal("after-switch", events[^1].Frame.GetProperty("q").GetString());
        }
    }

    /// <summary>Every request lands on the other node than the one before (round robin): order kept, nothing lost or twice.</summary>
    [Fact]
    public async Task RoundRobin_SendsAndPolls_KeepOrder_AndDeliverEveryFrameOnce()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            FallbackHttp[] nodes = [onA, onB];
            var (session, welcome) = await onB.ConnectAsync();
            var ch = "conv:" + welcome.GetProperty("conv").GetString();
            var request = 0;
            FallbackHttp Next() => nodes[request++ % 2];

            await AcceptedAsync(Next().SendAsync(session, Sub(ch)));
            var (frames, after) = await PollUntilAsync(Next(), session, 0, f => Type(f) == "subbed");
            const int count = 12;
            for (var i = 1; i <= count; i++)
            {
                await AcceptedAsync(Next().SendAsync(session, Submit(ch, $"x-{i}", $"message {i}")));
                if (i % 3 == 0)
                {
                    var (more, next) = await PollUntilAsync(Next(), session, after, f => Type(f) == "ack" && f.GetProperty("id").GetString() == $"x-{i}");
                    frames.AddRange(more);
                    after = next;
                }
            }

            if (!frames.Any(f => Type(f) == "op" && f.GetProperty("rev").GetInt64() == count))
            {
                var (rest, last) = await PollUntilAsync(Next(), session, after, f => Type(f) == "op" && f.GetProperty("rev").GetInt64() == count);
                frames.AddRange(rest);
                after = last;
            }

            var acks = frames.Where(f => Type(f) == "ack").Select(f => f.GetProperty("id").GetString()).ToList();
            var ops = frames.Where(f => Type(f) == "op").Select(f => f.GetProperty("rev").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(1, count).Select(i => $"x-{i}"), acks);
            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), ops);
            Assert.Equal(after, frames.Count); // one sequence number per frame, none skipped
            var stored = await a.Store.ReadAsync(ch, 0, 100);
            Assert.Equal(Enumerable.Range(1, count).Select(i => $"message {i}"), stored.Select(r => JsonDocument.Parse(r.Payload).RootElement.GetProperty("text").GetString()));
        }
    }

    [Fact]
    public async Task SessionId_ReplayedByAnotherIdentity_OnEitherNode_IsRefusedWith404_AndTheOwnerKeepsIt()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            using var aliceOnA = new FallbackHttp(a.BaseAddress, "alice");
            var (session, _) = await aliceOnA.ConnectAsync();
            foreach (var node in new[] { a, b })
            {
                using var bob = new FallbackHttp(node.BaseAddress, "bob");
                using var anonymous = new FallbackHttp(node.BaseAddress);
                foreach (var other in new[] { bob, anonymous })
                {
                    Assert.Equal(HttpStatusCode.NotFound, await other.SendAsync(session, """{"t":"ping"}"""));
                    Assert.Equal(HttpStatusCode.NotFound, (await other.PollAsync(session, 0)).Status);
                    Assert.Equal(HttpStatusCode.NotFound, (await other.OpenEventsAsync(session)).Status);
                }
            }

            // A token altered by one character is no token at all.
            var forged = session[..^2] + (session[^2] == 'A' ? 'B' : 'A') + session[^1];
            using var aliceOnB = new FallbackHttp(b.BaseAddress, "alice");
            Assert.Equal(HttpStatusCode.NotFound, await aliceOnB.SendAsync(forged, """{"t":"ping"}"""));

            // The owner, on the other node, still has it.
            await AcceptedAsync(aliceOnB.SendAsync(session, """{"t":"ping","q":"mine"}"""));
            var poll = await aliceOnB.PollAsync(session, 0);
            Assert.Equal("mine", Assert.Single(poll.Frames).GetProperty("q").GetString());

            // Another visitor's token cannot take the session over either: a second hello is a bad_frame (§2.3), and the
            // session stays whose it was.
            using var carolOnB = new FallbackHttp(b.BaseAddress);
            var (_, carol) = await carolOnB.ConnectAsync();
            var carolToken = carol.GetProperty("token").GetString();
            await AcceptedAsync(aliceOnB.SendAsync(session, $$"""{"t":"hello","v":1,"token":"{{carolToken}}"}""", """{"t":"ping","q":"still-mine"}"""));
            var refused = await aliceOnA.PollAsync(session, poll.Seq);
            Assert.Equal("bad_frame", refused.Frames[0].GetProperty("code").GetString());
            Assert.Equal("still-mine", refused.Frames[1].GetProperty("q").GetString());
        }
    }

    [Fact]
    public async Task LongPoll_OnNodeB_WaitsForAFrame_ReturnsQueuedOnes_AndTheCursorAcknowledges()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            var (session, _) = await onA.ConnectAsync();

            // Nothing queued: the poll waits; a frame queued meanwhile (through node A) answers it.
            var waiting = onB.PollAsync(session, 0);
            await AcceptedAsync(onA.SendAsync(session, """{"t":"ping","q":"p1"}"""));
            var first = await waiting;
            Assert.Equal(1, first.Seq);
            Assert.Equal("p1", Assert.Single(first.Frames).GetProperty("q").GetString());

            // Frames queued while no poll was open are all in the next batch, in order.
            await AcceptedAsync(onB.SendAsync(session, """{"t":"ping","q":"p2"}""", """{"t":"ping","q":"p3"}"""));
            var batch = await onA.PollAsync(session, 1);
            Assert.Equal(3, batch.Seq);
            Assert.Equal(["p2", "p3"], batch.Frames.Select(f => f.GetProperty("q").GetString()));

            // The answer was lost (the client still says after=1): the same frames again, on the other node.
            var resent = await onB.PollAsync(session, 1);
            Assert.Equal(["p2", "p3"], resent.Frames.Select(f => f.GetProperty("q").GetString()));

            // after=3 acknowledges them; a cursor from before that cannot be served any more: 410, the session is over.
            await AcceptedAsync(onA.SendAsync(session, """{"t":"ping","q":"p4"}"""));
            var fourth = await onB.PollAsync(session, 3);
            Assert.Equal(["p4"], fourth.Frames.Select(f => f.GetProperty("q").GetString()));
            Assert.Equal(HttpStatusCode.BadRequest, (await onB.PollAsync(session, 99)).Status);
            Assert.Equal(HttpStatusCode.Gone, (await onB.PollAsync(session, 1)).Status);
            Assert.Equal(HttpStatusCode.NotFound, await onA.SendAsync(session, """{"t":"ping"}"""));
        }
    }

    [Fact]
    public async Task LongPoll_WithNothingQueued_AnswersAnEmptyBatchAfterTheBound()
    {
        var (a, b) = await StartNodesAsync(longPollSeconds: 1);
        await using (a)
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            var (session, _) = await onA.ConnectAsync();
            foreach (var node in new[] { onA, onB })
            {
                var poll = await node.PollAsync(session, 0);
                Assert.Equal(HttpStatusCode.OK, poll.Status);
                Assert.Equal(0, poll.Seq);
                Assert.Empty(poll.Frames);
                Assert.False(poll.End);
            }
        }
    }

    /// <summary>The node holding a session stops: like a socket, the session is gone; the other node says so and serves a new one.</summary>
    [Fact]
    public async Task HolderStopped_ASendThroughTheOtherNodeAnswers503_AndANewSessionThereWorks()
    {
        var (a, b) = await StartNodesAsync(longPollSeconds: 1);
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            var (session, _) = await onA.ConnectAsync();
            await a.DisposeAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await onB.SendAsync(session, """{"t":"ping"}"""));

            var (fresh, _) = await onB.ConnectAsync();
            await AcceptedAsync(onB.SendAsync(fresh, """{"t":"ping","q":"on-b"}"""));
            Assert.Equal("on-b", Assert.Single((await onB.PollAsync(fresh, 0)).Frames).GetProperty("q").GetString());
        }
    }

    [Fact]
    public async Task SessionEnded_LastFramesArePolled_WithEnd_ThenTheSessionIsGone()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            using var onA = new FallbackHttp(a.BaseAddress);
            using var onB = new FallbackHttp(b.BaseAddress);
            var (session, _) = await onA.ConnectAsync();
            // A frame too large ends the session (1009 on a socket): its error is the last frame.
            var huge = "{\"t\":\"ping\",\"pad\":\"" + new string('x', 70_000) + "\"}";
            await AcceptedAsync(onB.SendAsync(session, huge));
            var last = await onB.PollAsync(session, 0);
            Assert.True(last.End);
            Assert.Equal("too_large", Assert.Single(last.Frames).GetProperty("code").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await onB.PollAsync(session, last.Seq)).Status);
        }
    }
}
