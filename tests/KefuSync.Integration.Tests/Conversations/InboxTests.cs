using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Conversations;

public sealed class InboxTests
{
    private static async Task<JsonElement> ListAsync(KefuTestClient agent, string filter, string q)
    {
        await agent.SendAsync(new { t = "list", f = filter, q });
        return await agent.WaitForAsync(f => KefuTestClient.Type(f) == "list" && f.GetProperty("q").GetString() == q);
    }

    [Fact]
    public async Task Inbox_ListsSummaries_AndFollowsMessagesReadsAssignAndClose_Live()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var conv = (await visitor.HelloAsync()).GetProperty("conv").GetString()!;
        var ch = "conv:" + conv;
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "Where is my order?" } });
        await visitor.WaitForTypeAsync("ack");

        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        var list = await ListAsync(alice, "all", "l1");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(conv, item.GetProperty("key").GetString());
        Assert.Equal("Where is my order?", item.GetProperty("lastText").GetString());
        Assert.Equal(1, item.GetProperty("unreadRevisions").GetArrayLength());
        Assert.Equal("open", item.GetProperty("status").GetString());

        // Live: subscribe to the inbox from the listed revision.
        await alice.SendAsync(new { t = "sub", c = "a", ch = "inbox", rev = list.GetProperty("rev").GetInt64() });
        await alice.WaitForTypeAsync("subbed");
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-2", rev = 1, op = new { k = "msg", text = "Order #42" } });
        var update = await alice.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == "inbox");
        Assert.Equal("Order #42", update.GetProperty("op").GetProperty("lastText").GetString());
        Assert.Equal(2, update.GetProperty("op").GetProperty("unreadRevisions").GetArrayLength());

        await alice.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 2, op = new { k = "read", upTo = 2 } });
        await alice.SendAsync(new { t = "submit", c = "a", ch, id = "a-2", rev = 3, op = new { k = "assign", to = "agent:alice" } });
        var assigned = await alice.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == "inbox" && f.GetProperty("op").TryGetProperty("assignee", out _));
        Assert.Equal(0, assigned.GetProperty("op").GetProperty("unreadRevisions").GetArrayLength());
        Assert.Single((await ListAsync(alice, "mine", "l2")).GetProperty("items").EnumerateArray());
        Assert.Empty((await ListAsync(alice, "unassigned", "l3")).GetProperty("items").EnumerateArray());

        await alice.SendAsync(new { t = "submit", c = "a", ch, id = "a-3", rev = 4, op = new { k = "status", status = "closed" } });
        await alice.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == "inbox" && f.GetProperty("op").GetProperty("status").GetString() == "closed");
        Assert.Single((await ListAsync(alice, "closed", "l4")).GetProperty("items").EnumerateArray());
        Assert.Empty((await ListAsync(alice, "all", "l5")).GetProperty("items").EnumerateArray());

        // A new visitor message reopens it.
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-3", rev = 5, op = new { k = "msg", text = "Thanks!" } });
        await alice.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == "inbox" && f.GetProperty("op").GetProperty("status").GetString() == "open");
    }

    /// <summary>
    /// A burst larger than the inbox's bounded queue (10,000) from many writers at once: the background fold is woken
    /// early by a full batch instead of waiting out its pacing interval, no submit fails, and every conversation's
    /// summary ends at its last message.
    /// </summary>
    [Fact]
    public async Task Inbox_KeepsUpWithABurstLargerThanItsQueue_AndEndsAtEveryConversationsLastMessage()
    {
        await using var host = await KefuTestHost.StartAsync();
        var service = host.Services.GetRequiredService<IKefuSyncService>();
        var bot = new KefuSender("bot:burst", "Burst bot");
        const int Conversations = 40;
        const int PerConversation = 300;
        var keys = Enumerable.Range(0, Conversations).Select(i => ConversationKeys.ForVisitor("burst-visitor-" + i)).ToArray();
        await Task.WhenAll(keys.Select(key => Task.Run(async () =>
        {
            for (var m = 1; m <= PerConversation; m++)
            {
                var result = await service.PostMessageAsync(key, $"{key[..6]} #{m}", bot, $"b-{m}");
                Assert.True(result.Committed, $"message {m} of {key} was refused: {result.ErrorCode}");
            }
        })));

        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        var list = await ListAsync(alice, "all", "burst");
        var items = list.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!);
        Assert.Equal(Conversations, items.Count);
        foreach (var key in keys)
        {
            Assert.Equal($"{key[..6]} #{PerConversation}", items[key].GetProperty("lastText").GetString());
            Assert.Equal(PerConversation, items[key].GetProperty("lastRevision").GetInt64());
        }
    }

    [Fact]
    public async Task Visitors_CannotListTheInbox_NorChangeStatusOrAssignee()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var visitor = await host.ConnectAsync();
        var ch = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "list", q = "x" });
        Assert.Equal("forbidden", (await visitor.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "status", status = "closed" } });
        Assert.Equal("forbidden", (await visitor.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-2", rev = 0, op = new { k = "assign", to = "agent:mallory" } });
        Assert.Equal("forbidden", (await visitor.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.Empty(await host.Store.ReadAsync(ch, 0, 10));
    }

    [Fact]
    public async Task TwoTabsStartingAChatAtOnce_MakeOneConversation()
    {
        await using var host = await KefuTestHost.StartAsync();
        await using var first = await host.ConnectAsync();
        var token = (await first.HelloAsync()).GetProperty("token").GetString();
        await using var second = await host.ConnectAsync();
        await second.HelloAsync(token);
        var conv = first.Welcome!.Value.GetProperty("conv").GetString();
        await Task.WhenAll(
            first.SendAsync(new { t = "submit", c = "t1", ch = "conv:" + conv, id = "t1-1", rev = 0, op = new { k = "msg", text = "hi from tab 1" } }),
            second.SendAsync(new { t = "submit", c = "t2", ch = "conv:" + conv, id = "t2-1", rev = 0, op = new { k = "msg", text = "hi from tab 2" } }));
        await first.WaitForTypeAsync("ack");
        await second.WaitForTypeAsync("ack");

        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        var list = await ListAsync(agent, "all", "l");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(2, item.GetProperty("unreadRevisions").GetArrayLength());
    }
}
