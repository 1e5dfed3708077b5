using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Ot;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.Sync;

public sealed class TextSyncTests
{
    private const string Alphabet = "abcdefghij 你好世界\n";

    [Theory]
    [InlineData(false, 4, 60, 1)]
    [InlineData(false, 6, 40, 2)]
    [InlineData(true, 4, 40, 3)]
    public async Task ConcurrentEditors_WithStaleBases_ConvergeToTheServerDocument_AndEveryAckedOpIsInTheLogOnce(bool kestrel, int editors, int opsEach, int seed)
    {
        await using var host = await KefuTestHost.StartAsync(o => { o.Limits.FramesPerSecond = 10_000; o.Limits.FrameBurst = 10_000; }, kestrel: kestrel);
        const string channel = "draft:converge";
        var random = new Random(seed);
        var clients = new List<Editor>();
        for (var i = 0; i < editors; i++)
        {
            var socket = await host.ConnectAsync(agent: "agent" + i);
            await socket.HelloAsync(agent: true);
            await socket.SendAsync(new { t = "sub", c = "e" + i, ch = channel, rev = 0 });
            var snapshot = await socket.WaitForTypeAsync("snapshot");
            clients.Add(new Editor("e" + i, socket, new OtClient(snapshot.GetProperty("rev").GetInt64(), "e" + i), snapshot.GetProperty("doc").GetString()!));
        }

        // Every editor types in bursts without waiting for the others, so most submits carry a stale base.
        for (var round = 0; round < opsEach; round++)
        {
            foreach (var editor in clients.OrderBy(_ => random.Next()))
            {
                await editor.PumpAsync(channel);
                await editor.EditAsync(channel, RandomEdit(random, editor.Document));
                if (random.Next(10) == 0 && editor.Acked.Count > 0)
                {
                    // A resend of an op already committed, with its original (now stale) base: must be a duplicate.
                    var old = editor.Acked[random.Next(editor.Acked.Count)];
                    await editor.Socket.SendAsync(new { t = "submit", c = editor.Name, ch = channel, id = old.Id, rev = old.BaseRevision, op = JsonDocument.Parse(old.Operation.ToJson()).RootElement });
                }
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            foreach (var editor in clients)
            {
                await editor.PumpAsync(channel);
            }

            var head = await host.Store.GetRevisionAsync(channel);
            if (clients.All(c => c.Ot.State == OtClient.ClientState.Synchronized && c.Ot.Revision == head))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "editors did not settle: " + string.Join(", ", clients.Select(c => $"{c.Name}:{c.Ot.State}@{c.Ot.Revision}")) + $" head {head}; errors: " + string.Join(" | ", clients.SelectMany(c => c.Errors)));
            await Task.Delay(20);
        }

        var service = (IKefuSyncService)host.Services.GetService(typeof(IKefuSyncService))!;
        var server = await service.GetDocumentAsync(channel);
        foreach (var editor in clients)
        {
            Assert.Equal(server.Text, editor.Document);
            Assert.Empty(editor.Errors);
        }

        // The log replays to the same document, and holds every acked op exactly once.
        var log = await host.Store.ReadAsync(channel, 0, 100_000);
        Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(r => r.Revision));
        var replayed = log.Aggregate("", (doc, record) => TextOperation.Parse(record.Payload.Span).Apply(doc));
        Assert.Equal(server.Text, replayed);
        var ids = log.Select(r => r.ClientOpId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var editor in clients)
        {
            foreach (var acked in editor.Acked)
            {
                Assert.Contains(acked.Id, ids);
            }
        }

        Assert.Equal(clients.Sum(c => c.Acked.Count), log.Count);
        foreach (var editor in clients)
        {
            await editor.Socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task ServerSideSuggestion_MergesIntoADraft_WhileAnAgentTypes()
    {
        await using var host = await KefuTestHost.StartAsync();
        const string channel = "draft:ai";
        await using var socket = await host.ConnectAsync(agent: "alice");
        await socket.HelloAsync(agent: true);
        await socket.SendAsync(new { t = "sub", c = "a", ch = channel, rev = 0 });
        await socket.WaitForTypeAsync("subbed");
        await socket.SendAsync(new { t = "submit", c = "a", ch = channel, id = "a-1", rev = 0, op = new object[] { "Hello" } });
        await socket.WaitForTypeAsync("ack");

        // The bot read the draft at revision 1 ("Hello") and wants to append a suggestion; meanwhile the agent typed.
        await socket.SendAsync(new { t = "submit", c = "a", ch = channel, id = "a-2", rev = 1, op = new object[] { 5, " there" } });
        await socket.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-2");
        var service = (IKefuSyncService)host.Services.GetService(typeof(IKefuSyncService))!;
        var result = await service.SubmitTextOperationAsync(channel, 1, new TextOperation().Retain(5).Insert("! Our return policy is 30 days."), new KefuSender("bot:ai", "Assistant"));

        Assert.True(result.Committed, result.Error);
        Assert.Equal("Hello there! Our return policy is 30 days.", (await service.GetDocumentAsync(channel)).Text);
    }

    [Theory]
    [InlineData("[1,\"x\"]", "invalid_op")]              // base length 1 against an empty document
    [InlineData("[\"a\",0]", "invalid_op")]               // zero component
    [InlineData("[1.5]", "invalid_op")]                   // float
    [InlineData("{\"k\":\"msg\"}", "invalid_op")]         // not an array
    [InlineData("[\"\\ud83d\"]", "invalid_op")]           // lone surrogate
    public async Task MalformedTextOps_AreRejected_AndTheLogStaysEmpty(string op, string code)
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var socket = await host.ConnectAsync(agent: "alice");
        await socket.HelloAsync(agent: true);
        await socket.SendAsync("{\"t\":\"submit\",\"c\":\"a\",\"ch\":\"note:x\",\"id\":\"a-1\",\"rev\":0,\"op\":" + op + "}");
        var error = await socket.WaitForTypeAsync("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("a-1", error.GetProperty("id").GetString());
        Assert.Empty(await host.Store.ReadAsync("note:x", 0, 10));

        await socket.SendAsync(new { t = "ping", q = "still-alive" });
        Assert.Equal("still-alive", (await socket.WaitForTypeAsync("pong")).GetProperty("q").GetString());
    }

    [Fact]
    public async Task ResendOfACommittedOp_WithItsOldBase_IsADuplicate_EvenWhenItNoLongerFits()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var socket = await host.ConnectAsync(agent: "alice");
        await socket.HelloAsync(agent: true);
        await socket.SendAsync(new { t = "submit", c = "a", ch = "note:dup", id = "a-1", rev = 0, op = new object[] { "abc" } });
        await socket.WaitForTypeAsync("ack");
        await socket.SendAsync(new { t = "submit", c = "a", ch = "note:dup", id = "a-2", rev = 1, op = new object[] { -3 } });
        await socket.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-2");

        // The ack of a-1 was "lost": the client resends it with its original base.
        await socket.SendAsync(new { t = "submit", c = "a", ch = "note:dup", id = "a-1", rev = 0, op = new object[] { "abc" } });
        var ack = await socket.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error");
        Assert.Equal("ack", KefuTestClient.Type(ack));
        Assert.Equal(1, ack.GetProperty("rev").GetInt64());
        Assert.True(ack.GetProperty("dup").GetBoolean());
        Assert.Equal(2, (await host.Store.ReadAsync("note:dup", 0, 10)).Count);
    }

    [Fact]
    public async Task Retention_TrimsBehindSnapshots_AndAClientTooFarBehindIsResyncedFromTheSnapshot()
    {
        await using var host = await KefuTestHost.StartAsync(o =>
        {
            o.Retention.SnapshotEvery = 5;
            o.Retention.KeepOpsBehindSnapshot = 2;
        });
        await using var writer = await host.ConnectAsync(agent: "alice");
        await writer.HelloAsync(agent: true);
        var text = "";
        for (var i = 0; i < 20; i++)
        {
            await writer.SendAsync(new { t = "submit", c = "w", ch = "note:ret", id = $"w-{i}", rev = i, op = new object[] { text.Length, ((char)('a' + i)).ToString() }.Where(x => x is not 0).ToArray() });
            await writer.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == $"w-{i}");
            text += (char)('a' + i);
        }

        var kept = await host.Store.ReadAsync("note:ret", 0, 100);
        Assert.True(kept.Count < 20, $"ops behind the snapshot were trimmed (kept {kept.Count})");
        Assert.Equal(20, kept[^1].Revision);

        // A client that last saw revision 3 cannot be caught up by ops any more: it gets the document instead.
        await using var late = await host.ConnectAsync(agent: "bob");
        await late.HelloAsync(agent: true);
        await late.SendAsync(new { t = "sub", c = "l", ch = "note:ret", rev = 3 });
        var snapshot = await late.WaitForTypeAsync("snapshot");
        Assert.Equal(text, snapshot.GetProperty("doc").GetString());
        await late.WaitForTypeAsync("subbed");
        Assert.All(late.Seen.Where(f => KefuTestClient.Type(f) == "op"), f => Assert.True(f.GetProperty("rev").GetInt64() > snapshot.GetProperty("rev").GetInt64()));

        // An op based on revision 3 is still transformed while this node remembers the recent ops in memory...
        await late.SendAsync(new { t = "submit", c = "l", ch = "note:ret", id = "l-1", rev = 3, op = new object[] { 3, "x" } });
        await late.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "l-1");
        var service = (IKefuSyncService)host.Services.GetService(typeof(IKefuSyncService))!;
        Assert.Equal(text + "x", (await service.GetDocumentAsync("note:ret")).Text);

        // ...but once only the store can answer (state evicted, ops trimmed), it is refused as stale: retryable, the
        // client resubscribes (snapshot), rebases and resends.
        ((KefuSync.Sync.TextDocuments)host.Services.GetService(typeof(KefuSync.Sync.TextDocuments))!).Evict(TimeSpan.Zero);
        await late.SendAsync(new { t = "submit", c = "l", ch = "note:ret", id = "l-2", rev = 3, op = new object[] { 3, "y" } });
        var error = await late.WaitForTypeAsync("error");
        Assert.Equal("stale_base", error.GetProperty("code").GetString());
        Assert.True(error.GetProperty("retry").GetBoolean());
    }

    [Fact]
    public async Task SubmitAgainstAFutureRevision_IsRejected()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var socket = await host.ConnectAsync(agent: "alice");
        await socket.HelloAsync(agent: true);
        await socket.SendAsync(new { t = "submit", c = "a", ch = "note:y", id = "a-1", rev = 7, op = new object[] { "x" } });
        Assert.Equal("future_base", (await socket.WaitForTypeAsync("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task SplittingASurrogatePair_IsRejected()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var socket = await host.ConnectAsync(agent: "alice");
        await socket.HelloAsync(agent: true);
        await socket.SendAsync(new { t = "submit", c = "a", ch = "note:e", id = "a-1", rev = 0, op = new object[] { "a😀b" } });
        await socket.WaitForTypeAsync("ack");
        await socket.SendAsync(new { t = "submit", c = "a", ch = "note:e", id = "a-2", rev = 1, op = new object[] { 2, "x", 2 } });
        var error = await socket.WaitForTypeAsync("error");
        Assert.Equal("invalid_op", error.GetProperty("code").GetString());
        Assert.Single(await host.Store.ReadAsync("note:e", 0, 10));
    }

    private static TextOperation RandomEdit(Random random, string document) => BuildEdit(random, document, random.Next(document.Length + 1));

    private static TextOperation BuildEdit(Random random, string document, int position)
    {
        var op = new TextOperation().Retain(position);
        var remaining = document.Length - position;
        if (remaining > 0 && random.Next(3) == 0)
        {
            var delete = Math.Min(remaining, 1 + random.Next(4));
            op.Delete(delete);
            remaining -= delete;
        }
        else
        {
            var length = 1 + random.Next(5);
            op.Insert(string.Concat(Enumerable.Range(0, length).Select(_ => Alphabet[random.Next(Alphabet.Length)])));
        }

        return op.Retain(remaining);
    }

    private sealed class Editor(string name, KefuTestClient socket, OtClient ot, string document)
    {
        public string Name { get; } = name;

        public KefuTestClient Socket { get; } = socket;

        public OtClient Ot { get; } = ot;

        public string Document { get; private set; } = document;

        public List<OtClient.Submit> Acked { get; } = [];

        public List<string> Errors { get; } = [];

        public async Task EditAsync(string channel, TextOperation op)
        {
            Document = op.Apply(Document);
            if (Ot.ApplyClient(op))
            {
                await SendAsync(channel, Ot.Outstanding!);
            }
        }

        public async Task PumpAsync(string channel)
        {
            while (Socket.TryTake(out var frame))
            {
                switch (KefuTestClient.Type(frame))
                {
                    case "op" when frame.GetProperty("rev").GetInt64() == Ot.Revision + 1:
                        if (Ot.Outstanding is { } outstanding && frame.GetProperty("id").GetString() == outstanding.Id)
                        {
                            Acked.Add(outstanding);
                            var next = Ot.ServerAck();
                            if (next is not null)
                            {
                                await SendAsync(channel, next);
                            }
                        }
                        else
                        {
                            Document = Ot.ApplyServer(TextOperation.Parse(frame.GetProperty("op").GetRawText())).Apply(Document);
                        }

                        break;
                    case "op":
                        Errors.Add("out-of-order op " + frame.GetRawText());
                        break;
                    case "error" when frame.GetProperty("retry").GetBoolean() == false:
                        Errors.Add(frame.GetRawText());
                        break;
                }
            }
        }

        private Task SendAsync(string channel, OtClient.Submit submit)
            => Socket.SendAsync("{\"t\":\"submit\",\"c\":\"" + Name + "\",\"ch\":\"" + channel + "\",\"id\":\"" + submit.Id + "\",\"rev\":" + submit.BaseRevision + ",\"op\":" + submit.Operation.ToJson() + "}");
    }
}
