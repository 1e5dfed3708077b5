using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>
/// The deviations of issue 12 where one frame and its answer (tests/vectors/protocol.json) do not say everything: what the
/// server logs, how a client recovers, and what happens on a second connection.
/// </summary>
public sealed class ConformanceTests
{
    private static bool IsType(JsonElement frame, string type) => KefuTestClient.Type(frame) == type;

    private static bool IsAck(JsonElement frame, string id) => IsType(frame, "ack") && frame.GetProperty("id").GetString() == id;

    private static bool IsError(JsonElement frame) => IsType(frame, "error");

    /// <summary>A: an unpaired surrogate is the client's error; the server logs no store failure and tells nobody to retry.</summary>
    [Fact]
    public async Task LoneSurrogates_InVisitorAgentAndEditText_AreInvalidOp_AndLogNoStoreFailure()
    {
        var logs = new CapturedLogs();
        await using var host = await KefuTestHost.StartAsync(logs: logs);
        await using var visitor = await host.ConnectAsync();
        var conv = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);

        await visitor.SendAsync($$$"""{"t":"submit","c":"v","ch":"{{{conv}}}","id":"v-1","rev":0,"op":{"k":"msg","text":"a\ud83db"}}""");
        await agent.SendAsync($$$"""{"t":"submit","c":"a","ch":"{{{conv}}}","id":"a-1","rev":0,"op":{"k":"msg","text":"\udc00"}}""");
        await agent.SendAsync($$$"""{"t":"submit","c":"a","ch":"{{{conv}}}","id":"a-2","rev":0,"op":{"k":"msg","text":"typo"}}""");
        await agent.WaitForAsync(f => IsAck(f, "a-2"));
        await agent.SendAsync($$$"""{"t":"submit","c":"a","ch":"{{{conv}}}","id":"a-3","rev":1,"op":{"k":"edit","target":1,"text":"fixed\ud800"}}""");

        await visitor.WaitForAsync(IsError);
        await agent.WaitForAsync(f => IsError(f) && f.GetProperty("id").GetString() == "a-3");
        var errors = visitor.Seen.Concat(agent.Seen).Where(IsError).ToList();
        Assert.Equal(["v-1", "a-1", "a-3"], errors.Select(e => e.GetProperty("id").GetString()));
        Assert.All(errors, e => Assert.Equal(("invalid_op", false), (e.GetProperty("code").GetString(), e.GetProperty("retry").GetBoolean())));

        Assert.Single(await host.Store.ReadAsync(conv, 0, 10)); // only "typo"
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("KefuSync", StringComparison.Ordinal));
    }

    /// <summary>B: an edit resent after its window closed was committed inside it; the resend is acknowledged, not refused.</summary>
    [Fact]
    public async Task EditResentAfterItsWindow_IsAckedDup_WithItsOriginalRevision()
    {
        var time = new ManualTimeProvider();
        await using var host = await KefuTestHost.StartAsync(o => o.Conversations.EditWindow = TimeSpan.FromSeconds(10), time: time);
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        var conv = "conv:edit" + Guid.NewGuid().ToString("N")[..12];
        var edit = new { t = "submit", c = "a", ch = conv, id = "a-2", rev = 1, op = new { k = "edit", target = 1, text = "fixed" } };

        await agent.SendAsync(new { t = "submit", c = "a", ch = conv, id = "a-1", rev = 0, op = new { k = "msg", text = "typo" } });
        await agent.WaitForAsync(f => IsAck(f, "a-1"));
        await agent.SendAsync(edit);
        Assert.Equal(2, (await agent.WaitForAsync(f => IsAck(f, "a-2"))).GetProperty("rev").GetInt64());

        time.Advance(TimeSpan.FromSeconds(30)); // the ack was lost; the outbox resends after the window closed
        await agent.SendAsync(edit);
        var resent = await agent.WaitForAsync(f => IsAck(f, "a-2") || IsError(f));
        Assert.True(IsType(resent, "ack"), resent.GetRawText());
        Assert.Equal(2, resent.GetProperty("rev").GetInt64());
        Assert.True(resent.GetProperty("dup").GetBoolean());

        // A new edit of the same message is refused: the window has passed.
        await agent.SendAsync(edit with { id = "a-3" });
        Assert.Equal("invalid_op", (await agent.WaitForAsync(IsError)).GetProperty("code").GetString());
        Assert.Equal(2, await host.Store.GetRevisionAsync(conv));
    }

    /// <summary>
    /// C: a client whose cached revision is above the head (the store was reset) is told so, resets, subscribes from 0 and
    /// then hears new ops: a message channel, a text channel and the inbox.
    /// </summary>
    [Fact]
    public async Task SubAboveTheHead_IsFutureBase_AndAfterSubscribingFrom0_NewOpsArrive()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var conv = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        var draft = "draft:" + conv[5..];

        for (var i = 1; i <= 7; i++)
        {
            await visitor.SendAsync(new { t = "submit", c = "v", ch = conv, id = $"v-{i}", rev = 0, op = new { k = "msg", text = $"m{i}" } });
        }

        await visitor.WaitForAsync(f => IsAck(f, "v-7"));
        await agent.SendAsync(new { t = "submit", c = "a", ch = draft, id = "a-1", rev = 0, op = new object[] { "Hi" } });
        await agent.WaitForAsync(f => IsAck(f, "a-1"));

        // The client remembers revisions from before the reset.
        await visitor.SendAsync(new { t = "sub", c = "v", ch = conv, rev = 5000 });
        await agent.SendAsync(new { t = "sub", c = "a", ch = draft, rev = 40 });
        await agent.SendAsync(new { t = "sub", c = "a", ch = "inbox", rev = 1_000_000 });
        var conversation = await visitor.WaitForAsync(IsError);
        Assert.Equal(("future_base", 7L), (conversation.GetProperty("code").GetString(), conversation.GetProperty("rev").GetInt64()));
        var text = await agent.WaitForAsync(IsError);
        Assert.Equal(("future_base", draft, 1L), (text.GetProperty("code").GetString(), text.GetProperty("ch").GetString(), text.GetProperty("rev").GetInt64()));
        var inbox = await agent.WaitForAsync(IsError);
        Assert.Equal(("future_base", "inbox"), (inbox.GetProperty("code").GetString(), inbox.GetProperty("ch").GetString()));

        // What the protocol asks of the client: drop the channel's state, subscribe from 0 (the inbox: list, then sub).
        await visitor.SendAsync(new { t = "sub", c = "v", ch = conv, rev = 0 });
        Assert.Equal(7, (await visitor.WaitForTypeAsync("subbed")).GetProperty("rev").GetInt64());
        await agent.SendAsync(new { t = "sub", c = "a", ch = draft, rev = 0 });
        Assert.Equal("Hi", (await agent.WaitForTypeAsync("snapshot")).GetProperty("doc").GetString());
        await agent.WaitForAsync(f => IsType(f, "subbed") && f.GetProperty("ch").GetString() == draft);
        await agent.SendAsync(new { t = "list", q = "l" });
        var listed = (await agent.WaitForTypeAsync("list")).GetProperty("rev").GetInt64();
        await agent.SendAsync(new { t = "sub", c = "a", ch = "inbox", rev = listed });
        await agent.WaitForAsync(f => IsType(f, "subbed") && f.GetProperty("ch").GetString() == "inbox");

        await agent.SendAsync(new { t = "submit", c = "a", ch = conv, id = "a-2", rev = 7, op = new { k = "msg", text = "after the reset" } });
        var live = await visitor.WaitForAsync(f => IsType(f, "op") && f.GetProperty("id").GetString() == "a-2");
        Assert.Equal(8, live.GetProperty("rev").GetInt64());
        await agent.SendAsync(new { t = "submit", c = "b", ch = draft, id = "b-1", rev = 1, op = new object[] { 2, "!" } });
        Assert.Equal(2, (await agent.WaitForAsync(f => IsType(f, "op") && f.GetProperty("id").GetString() == "b-1")).GetProperty("rev").GetInt64());
        var summary = await agent.WaitForAsync(f => IsType(f, "op") && f.GetProperty("ch").GetString() == "inbox" && f.GetProperty("op").GetProperty("lastRevision").GetInt64() == 8, TimeSpan.FromSeconds(15));
        Assert.Equal("after the reset", summary.GetProperty("op").GetProperty("lastText").GetString());
    }

    /// <summary>G, end to end: a visitor's resend on the EF Core store is acknowledged, and nothing logs a failure.</summary>
    [Fact]
    public async Task MessageResend_OnTheEntityFrameworkStore_IsAckedDup_AndLogsNoFailure()
    {
        var logs = new CapturedLogs();
        var file = Path.Combine(Path.GetTempPath(), "kefu-resend-" + Guid.NewGuid().ToString("N")[..12] + ".db");
        try
        {
            await using (var host = await KefuTestHost.StartAsync(logs: logs, kefu: b => b.AddEntityFrameworkStore(o => o.UseSqlite("Data Source=" + file), o => o.CreateSchemaOnStartup = true)))
            {
                await using var visitor = await host.ConnectAsync();
                var conv = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
                var message = new { t = "submit", c = "v", ch = conv, id = "v-1", rev = 0, op = new { k = "msg", text = "hello" } };
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    await visitor.SendAsync(message);
                    var ack = await visitor.WaitForAsync(f => IsAck(f, "v-1"));
                    Assert.Equal(1, ack.GetProperty("rev").GetInt64());
                    Assert.Equal(attempt > 0, ack.TryGetProperty("dup", out var dup) && dup.GetBoolean());
                }

                Assert.Single(await host.Store.ReadAsync(conv, 0, 10));
            }

            Assert.True(logs.Failures.Count == 0, "Logged failures: " + string.Join(" | ", logs.Failures));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
