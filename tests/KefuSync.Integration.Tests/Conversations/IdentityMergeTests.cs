using System.Net.WebSockets;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KefuSync.Integration.Tests.Conversations;

/// <summary>
/// Signing in keeps the chat (docs/protocol.md §2.5, docs/security.md "Identity merge"): one hello with a host identity
/// and the browser's anonymous token joins the anonymous conversation to the signed-in one, over a real connection.
/// </summary>
public sealed class IdentityMergeTests
{
    private static VisitorTokenService Tokens(KefuTestHost host) => host.Services.GetRequiredService<VisitorTokenService>();

    private static async Task<JsonElement> HelloAsync(KefuTestClient client, string? token, string? anon)
    {
        await client.SendAsync(new Dictionary<string, object?> { ["t"] = "hello", ["v"] = 1, ["client"] = "test", ["token"] = token, ["anon"] = anon });
        return await client.WaitForAsync(f => KefuTestClient.Type(f) is "welcome" or "error");
    }

    /// <summary>An anonymous visitor writes, an agent answers: the conversation a merge must carry.</summary>
    private static async Task<(string AnonToken, string AnonKey)> AnonymousChatAsync(KefuTestHost host, params string[] texts)
    {
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        var key = welcome.GetProperty("conv").GetString()!;
        var ch = "conv:" + key;
        var n = 0;
        foreach (var text in texts)
        {
            n++;
            await visitor.SendAsync(new { t = "submit", c = "tabA", ch, id = $"tabA-{n}", rev = 0, op = new { k = "msg", text } });
            await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == $"tabA-{n}");
        }

        return (welcome.GetProperty("token").GetString()!, key);
    }

    private static async Task<List<(string Id, string By, string Text)>> MessagesAsync(KefuTestHost host, string key)
    {
        var ops = await host.Store.ReadAsync("conv:" + key, 0, 1000);
        return [.. ops.Select(o => (o.ClientOpId, o.Author, JsonDocument.Parse(o.Payload).RootElement))
            .Where(o => o.Item3.GetProperty("k").GetString() == "msg")
            .Select(o => (o.ClientOpId, o.Author, o.Item3.GetProperty("text").GetString()!))];
    }

    [Fact]
    public async Task SignIn_WithTheAnonymousToken_JoinsTheHistoryInOrder_AndTheConsoleListsOneConversation()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (anon, anonKey) = await AnonymousChatAsync(host, "Hi, my order is late", "It is #42");
        await using (var alice = await host.ConnectAsync(agent: "alice"))
        {
            await alice.HelloAsync(agent: true);
            await alice.SendAsync(new { t = "submit", c = "a", ch = "conv:" + anonKey, id = "alice-1", rev = 2, op = new { k = "msg", text = "Let me check" } });
            await alice.WaitForTypeAsync("ack");
        }

        var (carol, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        var carolKey = ConversationKeys.ForVisitor("h_carol");

        // Carol had written before, signed in on another device: her history comes first, the anonymous chat after it.
        await using (var otherDevice = await host.ConnectAsync())
        {
            await otherDevice.HelloAsync(carol);
            await otherDevice.SendAsync(new { t = "submit", c = "d", ch = "conv:" + carolKey, id = "old-1", rev = 0, op = new { k = "msg", text = "Last week's question" } });
            await otherDevice.WaitForTypeAsync("ack");
        }

        await using var visitor = await host.ConnectAsync();
        var welcome = await HelloAsync(visitor, carol, anon);
        Assert.Equal("welcome", KefuTestClient.Type(welcome));
        Assert.Equal("h_carol", welcome.GetProperty("me").GetProperty("id").GetString());
        Assert.Equal(carolKey, welcome.GetProperty("conv").GetString());
        Assert.Equal(anonKey, welcome.GetProperty("merged").GetString());

        var merged = await MessagesAsync(host, carolKey);
        Assert.Equal(["Last week's question", "Hi, my order is late", "It is #42", "Let me check"], merged.Select(m => m.Text));
        // The visitor's own words are the signed-in person's now, under their ids (an outbox resend is a dup); an agent's
        // keep their author.
        Assert.Equal(["old-1", "tabA-1", "tabA-2"], merged.Take(3).Select(m => m.Id));
        Assert.All(merged.Take(3), m => Assert.Equal("h_carol", m.By));
        Assert.Equal("agent:alice", merged[3].By);

        // The anonymous log is append-only: its messages stay, closed by the marker.
        var anonOps = await host.Store.ReadAsync("conv:" + anonKey, 0, 100);
        Assert.Equal("merged", JsonDocument.Parse(anonOps[^1].Payload).RootElement.GetProperty("k").GetString());

        // The console: one conversation for one person.
        await host.Services.GetRequiredService<InboxProjection>().FlushAsync(CancellationToken.None);
        await using var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        await agent.SendAsync(new { t = "list", q = "l" });
        var list = await agent.WaitForTypeAsync("list");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(carolKey, item.GetProperty("key").GetString());
        Assert.Equal("Let me check", item.GetProperty("lastText").GetString());
    }

    [Fact]
    public async Task AnOpenAnonymousTab_SeesTheMarker_AndItsQueuedMessage_LandsOnceInTheMergedConversation()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (anon, anonKey) = await AnonymousChatAsync(host, "first");
        var (carol, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        var carolKey = ConversationKeys.ForVisitor("h_carol");

        // A tab still on the anonymous conversation (another connection, e.g. a fallback session not closed yet).
        await using var old = await host.ConnectAsync();
        await old.HelloAsync(anon);
        await old.SendAsync(new { t = "sub", c = "tabA", ch = "conv:" + anonKey, rev = 1 });
        await old.WaitForTypeAsync("subbed");

        await using var signedIn = await host.ConnectAsync();
        Assert.Equal(anonKey, (await HelloAsync(signedIn, carol, anon)).GetProperty("merged").GetString());
        var marker = await old.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("op").GetProperty("k").GetString() == "merged");
        Assert.Equal("merged~", marker.GetProperty("id").GetString());

        // The outbox of the anonymous tabs: tabA-1 was committed (its ack lost), tabA-2 never left. The leader resends both
        // to the anonymous conversation after the sign-in: each lands once, in the signed-in conversation.
        await signedIn.SendAsync(new { t = "sub", c = "tabA", ch = "conv:" + carolKey, rev = 0 });
        await signedIn.WaitForTypeAsync("subbed");
        foreach (var (id, text) in new[] { ("tabA-1", "first"), ("tabA-2", "typed before the login") })
        {
            await signedIn.SendAsync(new { t = "submit", c = "tabA", ch = "conv:" + anonKey, id, rev = 0, op = new { k = "msg", text } });
            var ack = await signedIn.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.GetProperty("id").GetString() == id);
            Assert.Equal("ack", KefuTestClient.Type(ack));
            Assert.Equal("conv:" + carolKey, ack.GetProperty("ch").GetString());
        }

        Assert.Equal(["first", "typed before the login"], (await MessagesAsync(host, carolKey)).Select(m => m.Text));
        Assert.Single(await MessagesAsync(host, anonKey)); // nothing more in the anonymous log
    }

    [Fact]
    public async Task TheSameHelloAgain_MergesNothingTwice()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (anon, anonKey) = await AnonymousChatAsync(host, "one", "two");
        var (carol, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        for (var i = 0; i < 3; i++)
        {
            await using var visitor = await host.ConnectAsync();
            Assert.Equal(anonKey, (await HelloAsync(visitor, carol, anon)).GetProperty("merged").GetString());
        }

        Assert.Equal(["one", "two"], (await MessagesAsync(host, ConversationKeys.ForVisitor("h_carol"))).Select(m => m.Text));
        Assert.Equal(2, await host.Store.GetRevisionAsync(ConversationMerge.ClaimChannel(anonKey)));
    }

    [Fact]
    public async Task ANodeDyingMidMerge_AndTheRetry_LeaveEachMessageOnce()
    {
        var faults = new FaultyStore();
        await using var host = await KefuTestHost.StartAsync(kefu: b => b.UseStore<FaultyStore>(), services: s => s.AddSingleton(faults));
        var (anon, anonKey) = await AnonymousChatAsync(host, "one", "two", "three");
        var (carol, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        var carolConv = "conv:" + ConversationKeys.ForVisitor("h_carol");

        // The store fails after the first copy: the hello is answered store_unavailable and closed; the client keeps
        // both tokens and says hello again.
        faults.FailAppendsTo(carolConv, after: 1);
        await using (var first = await host.ConnectAsync())
        {
            var refused = await HelloAsync(first, carol, anon);
            Assert.Equal("store_unavailable", refused.GetProperty("code").GetString());
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await first.WaitForCloseAsync());
        }

        Assert.Equal(["one"], (await MessagesAsync(host, ConversationKeys.ForVisitor("h_carol"))).Select(m => m.Text));
        faults.Heal();
        await using var retry = await host.ConnectAsync();
        Assert.Equal(anonKey, (await HelloAsync(retry, carol, anon)).GetProperty("merged").GetString());
        Assert.Equal(["one", "two", "three"], (await MessagesAsync(host, ConversationKeys.ForVisitor("h_carol"))).Select(m => m.Text));
    }

    [Fact]
    public async Task AForgedExpiredOrForeignAnonymousToken_MergesNothing_AndTheHelloGoesOnSignedIn()
    {
        var time = new ManualTimeProvider();
        await using var host = await KefuTestHost.StartAsync(time: time);
        var (anon, anonKey) = await AnonymousChatAsync(host, "mine");
        var (carol, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        var (dave, _) = Tokens(host).IssueForHost("dave", "Dave", null);

        // Another server's key ring (a token from another site or a test host), a tampered one, and a host identity
        // offered as the "anonymous" one: a host identity is never merged into anything.
        var foreign = new VisitorTokenService(new EphemeralDataProtectionProvider(), host.Services.GetRequiredService<IOptionsMonitor<KefuSyncOptions>>(), time).IssueAnonymous().Token;
        foreach (var bad in new[] { foreign, anon[..^4] + "AAAA", dave, "not-a-token" })
        {
            await using var visitor = await host.ConnectAsync();
            var welcome = await HelloAsync(visitor, carol, bad);
            Assert.Equal("welcome", KefuTestClient.Type(welcome));
            Assert.Equal("h_carol", welcome.GetProperty("me").GetProperty("id").GetString());
            Assert.False(welcome.TryGetProperty("merged", out _));
        }

        // Expired: past the token lifetime it proves nothing any more.
        time.Advance(host.Services.GetRequiredService<IOptionsMonitor<KefuSyncOptions>>().CurrentValue.Identity.TokenLifetime + TimeSpan.FromMinutes(1));
        var (carolNow, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        await using (var late = await host.ConnectAsync())
        {
            Assert.False((await HelloAsync(late, carolNow, anon)).TryGetProperty("merged", out _));
        }

        Assert.Empty(await MessagesAsync(host, ConversationKeys.ForVisitor("h_carol")));
        Assert.Empty(await MessagesAsync(host, ConversationKeys.ForVisitor("h_dave")));
        Assert.Equal(0, await host.Store.GetRevisionAsync(ConversationMerge.ClaimChannel(anonKey)));
    }

    [Fact]
    public async Task AnAnonymousIdentity_MergesIntoOneIdentityEver_AndItsTokenAloneThenOpensAFreshOne()
    {
        await using var host = await KefuTestHost.StartAsync();
        var (anon, anonKey) = await AnonymousChatAsync(host, "Carol's question");
        var (carol, _) = Tokens(host).IssueForHost("carol", "Carol", null);
        var (mallory, _) = Tokens(host).IssueForHost("mallory", "Mallory", null);
        await using (var first = await host.ConnectAsync())
        {
            Assert.Equal(anonKey, (await HelloAsync(first, carol, anon)).GetProperty("merged").GetString());
        }

        // Someone who got hold of the anonymous token signs in as themselves with it: refused, nothing reaches them.
        await using (var thief = await host.ConnectAsync())
        {
            var welcome = await HelloAsync(thief, mallory, anon);
            Assert.Equal("h_mallory", welcome.GetProperty("me").GetProperty("id").GetString());
            Assert.False(welcome.TryGetProperty("merged", out _));
        }

        Assert.Empty(await MessagesAsync(host, ConversationKeys.ForVisitor("h_mallory")));

        // Signed out, the page says hello with the old anonymous token alone: it was merged, so it opens a fresh
        // anonymous visitor with an empty conversation, not the old one.
        await using var loggedOut = await host.ConnectAsync();
        var fresh = await HelloAsync(loggedOut, anon, null);
        Assert.StartsWith("a_", fresh.GetProperty("me").GetProperty("id").GetString());
        Assert.NotEqual(anonKey, fresh.GetProperty("conv").GetString());
        Assert.True(fresh.TryGetProperty("token", out _));
        Assert.Empty(await MessagesAsync(host, fresh.GetProperty("conv").GetString()!));
    }

    /// <summary>The in-memory store, failing appends to one channel after a number of them (a node losing its store mid-merge).</summary>
    private sealed class FaultyStore : IOpStore
    {
        private readonly InMemoryOpStore _inner = new();
        private string? _channel;
        private int _left;

        public void FailAppendsTo(string channel, int after) => (_channel, _left) = (channel, after);

        public void Heal() => _channel = null;

        public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
        {
            if (channel == _channel && _left-- <= 0)
            {
                throw new TimeoutException("the store stopped answering");
            }

            return _inner.AppendAsync(channel, expectedRevision, op, cancellationToken);
        }

        public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default) => _inner.GetRevisionAsync(channel, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default) => _inner.ReadAsync(channel, afterRevision, maxCount, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default) => _inner.ReadBeforeAsync(channel, beforeRevision, maxCount, cancellationToken);
    }
}
