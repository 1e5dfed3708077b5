using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KefuSync.Integration.Tests.RestApi;

/// <summary>The REST API (docs/rest-api.md) on real Kestrel at 127.0.0.1, with a visitor on a real WebSocket.</summary>
public sealed class RestApiTests
{
    private const string BotKey = "bot-key-0123456789abcdefghijklmnopqrstuv";
    private const string AgentKey = "agent-key-0123456789abcdefghijklmnopqrst";

    private static Task<KefuTestHost> StartAsync(bool keys = true, Action<KefuSyncOptions>? configure = null) => KefuTestHost.StartAsync(
        o =>
        {
            if (keys)
            {
                o.Api.Keys.Add(new KefuApiKey { Name = "helper", Key = BotKey, Role = "bot", DisplayName = "Helper Bot" });
                o.Api.Keys.Add(new KefuApiKey { Name = "crm", Key = AgentKey, Role = "agent", DisplayName = "CRM" });
            }

            configure?.Invoke(o);
        },
        kestrel: true);

    private static HttpClient Client(KefuTestHost host, string? key)
    {
        var http = host.CreateHttpClient();
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a problem details body with the protocol's error code.</summary>
    private static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response, status);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal(code, problem.GetProperty("title").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<string> VisitorConversationAsync(KefuTestClient visitor, string text)
    {
        var conv = (await visitor.HelloAsync()).GetProperty("conv").GetString()!;
        await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + conv, id = "v-" + Guid.NewGuid().ToString("N"), rev = 0, op = new { k = "msg", text } });
        await visitor.WaitForTypeAsync("ack");
        // Live from here, as the widget is: what the API commits must reach this socket.
        await visitor.SendAsync(new { t = "sub", c = "v", ch = "conv:" + conv, rev = 1 });
        await visitor.WaitForTypeAsync("subbed");
        return conv;
    }

    [Fact]
    public async Task WithoutKeys_TheApiAndItsDocument_Answer404()
    {
        await using var host = await StartAsync(keys: false);
        using var http = Client(host, BotKey);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/kefu/api/v1/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/kefu/api/v1/conversations/x/messages", Body(new { text = "hi" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/kefu/api/openapi/kefusync.json")).StatusCode);
    }

    [Fact]
    public async Task NoKey_WrongKey_OrAnotherScheme_Is401_OnEveryEndpoint()
    {
        await using var host = await StartAsync();
        await using var visitor = await host.ConnectAsync();
        var conv = await VisitorConversationAsync(visitor, "hello");
        foreach (var key in new[] { null, "wrong-key-0123456789abcdefghijklmnopqrs", BotKey[..^1] })
        {
            using var http = Client(host, key);
            foreach (var request in new Func<Task<HttpResponseMessage>>[]
            {
                () => http.GetAsync("/kefu/api/v1/conversations"),
                () => http.GetAsync($"/kefu/api/v1/conversations/{conv}"),
                () => http.GetAsync("/kefu/api/v1/visitors/a_x"),
                () => http.GetAsync($"/kefu/api/v1/conversations/{conv}/messages"),
                () => http.PostAsync($"/kefu/api/v1/conversations/{conv}/messages", Body(new { text = "spam" })),
                () => http.PostAsync($"/kefu/api/v1/conversations/{conv}/status", Body(new { status = "closed" })),
                () => http.PostAsync($"/kefu/api/v1/conversations/{conv}/assign", Body(new { to = "agent:mallory" })),
            })
            {
                var response = await request();
                Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
                await ProblemAsync(response, HttpStatusCode.Unauthorized, "auth_failed");
            }
        }

        using var basic = Client(host, null);
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", BotKey);
        await ProblemAsync(await basic.GetAsync("/kefu/api/v1/conversations"), HttpStatusCode.Unauthorized, "auth_failed");
        // Nothing of the refused writes was committed: the visitor's message is the conversation's only op.
        Assert.Single(await host.Store.ReadAsync("conv:" + conv, 0, 100));
    }

    [Fact]
    public async Task ListConversations_FilteredPages_VisitEveryMatchOnce_InKeyOrder()
    {
        // The page walks the key index from the cursor and stops when the page is full: matches scattered between
        // non-matching keys, pages of one, and a cursor that names a key the filter skips must still give every match once.
        await using var host = await StartAsync();
        var keys = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await using var visitor = await host.ConnectAsync();
            keys.Add(await VisitorConversationAsync(visitor, "question " + i));
        }

        keys.Sort(string.CompareOrdinal);
        using var http = Client(host, AgentKey);
        string[] pending = [keys[1], keys[2], keys[5]];
        foreach (var key in pending)
        {
            await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{key}/status", Body(new { status = "pending" })), HttpStatusCode.OK);
        }

        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?status=pending&limit=1" + (cursor is null ? "" : "&cursor=" + cursor)), HttpStatusCode.OK);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!));
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);
        Assert.Equal(pending, seen);
        Assert.Equal(3, pages); // the last page says there is no next one, rather than answering an empty fourth

        // A cursor naming a key that is not pending (keys[3]) continues after it.
        var after3 = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Text.Encoding.UTF8.GetBytes(keys[3]));
        var rest = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?status=pending&cursor=" + after3), HttpStatusCode.OK);
        Assert.Equal([keys[5]], rest.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task ListConversations_FiltersByStatusAndAssignee_AndPagesWithACursor()
    {
        await using var host = await StartAsync();
        var keys = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await using var visitor = await host.ConnectAsync();
            keys.Add(await VisitorConversationAsync(visitor, "question " + i));
        }

        keys.Sort(string.CompareOrdinal);
        using var http = Client(host, AgentKey);
        await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{keys[1]}/status", Body(new { status = "pending" })), HttpStatusCode.OK);
        await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{keys[2]}/assign", Body(new { to = "agent:alice" })), HttpStatusCode.OK);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?limit=2" + (cursor is null ? "" : "&cursor=" + cursor)), HttpStatusCode.OK);
            Assert.True(page.GetProperty("items").GetArrayLength() <= 2);
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!));
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (cursor is not null);
        Assert.Equal(keys, seen);

        var pending = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?status=pending"), HttpStatusCode.OK);
        Assert.Equal(keys[1], Assert.Single(pending.GetProperty("items").EnumerateArray()).GetProperty("key").GetString());
        var alice = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?assignee=agent:alice"), HttpStatusCode.OK);
        var item = Assert.Single(alice.GetProperty("items").EnumerateArray());
        Assert.Equal(keys[2], item.GetProperty("key").GetString());
        Assert.StartsWith("question ", item.GetProperty("lastText").GetString());
        var unassigned = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?assignee=none&status=open"), HttpStatusCode.OK);
        Assert.Equal([keys[0]], unassigned.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()!));

        await ProblemAsync(await http.GetAsync("/kefu/api/v1/conversations?status=lost"), HttpStatusCode.BadRequest, "invalid_op");
        await ProblemAsync(await http.GetAsync("/kefu/api/v1/conversations?limit=0"), HttpStatusCode.BadRequest, "invalid_op");
        await ProblemAsync(await http.GetAsync("/kefu/api/v1/conversations?cursor=%25%25"), HttpStatusCode.BadRequest, "invalid_op");
    }

    [Fact]
    public async Task PostedBotMessages_ReachTheVisitorsSocket_InOrder_AndReadBackInPages()
    {
        await using var host = await StartAsync();
        await using var visitor = await host.ConnectAsync();
        var conv = await VisitorConversationAsync(visitor, "Where is my order?");
        using var http = Client(host, BotKey);
        for (var i = 1; i <= 3; i++)
        {
            var committed = await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/messages", Body(new { text = "answer " + i })), HttpStatusCode.OK);
            Assert.Equal(1 + i, committed.GetProperty("revision").GetInt64());
            Assert.False(committed.GetProperty("duplicate").GetBoolean());
        }

        for (var i = 1; i <= 3; i++)
        {
            var op = await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == "conv:" + conv);
            Assert.Equal(1 + i, op.GetProperty("rev").GetInt64());
            Assert.Equal("answer " + i, op.GetProperty("op").GetProperty("text").GetString());
        }

        var first = await JsonAsync(await http.GetAsync($"/kefu/api/v1/conversations/{conv}/messages?after=0&limit=2"), HttpStatusCode.OK);
        Assert.Equal([1L, 2L], first.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("revision").GetInt64()));
        Assert.Equal(2, first.GetProperty("next").GetInt64());
        var second = await JsonAsync(await http.GetAsync($"/kefu/api/v1/conversations/{conv}/messages?after=2&limit=2"), HttpStatusCode.OK);
        var items = second.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([3L, 4L], items.Select(m => m.GetProperty("revision").GetInt64()));
        Assert.Equal("bot:helper", items[0].GetProperty("author").GetString());
        Assert.Equal("answer 2", items[0].GetProperty("op").GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task SameIdempotencyKey_PostsOnce_AndAnswersTheSameRevision()
    {
        await using var host = await StartAsync();
        await using var visitor = await host.ConnectAsync();
        var conv = await VisitorConversationAsync(visitor, "hi");
        using var http = Client(host, AgentKey);
        async Task<JsonElement> PostAsync(string text)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/kefu/api/v1/conversations/{conv}/messages") { Content = Body(new { text }) };
            request.Headers.Add("Idempotency-Key", "crm-ticket-17-reply-1");
            return await JsonAsync(await http.SendAsync(request), HttpStatusCode.OK);
        }

        var first = await PostAsync("We are on it.");
        var again = await PostAsync("We are on it.");
        Assert.Equal(first.GetProperty("revision").GetInt64(), again.GetProperty("revision").GetInt64());
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        var ops = await host.Store.ReadAsync("conv:" + conv, 0, 100);
        Assert.Equal(2, ops.Count);
        Assert.Equal("agent:crm", ops[1].Author);
        Assert.Equal("crm-ticket-17-reply-1", ops[1].ClientOpId);
    }

    [Fact]
    public async Task StatusAndAssign_GoThroughTheConversationRules()
    {
        await using var host = await StartAsync();
        await using var visitor = await host.ConnectAsync();
        var conv = await VisitorConversationAsync(visitor, "hi");
        using var http = Client(host, BotKey);
        var closed = await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/status", Body(new { status = "closed" })), HttpStatusCode.OK);
        await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/assign", Body(new { to = "agent:alice" })), HttpStatusCode.OK);
        var list = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?status=closed"), HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("agent:alice", item.GetProperty("assignee").GetString());
        var op = await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("rev").GetInt64() == closed.GetProperty("revision").GetInt64());
        Assert.Equal("closed", op.GetProperty("op").GetProperty("status").GetString());

        await JsonAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/assign", Body(new { to = (string?)null })), HttpStatusCode.OK);
        var unassigned = await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?assignee=none&status=closed"), HttpStatusCode.OK);
        Assert.Equal(conv, Assert.Single(unassigned.GetProperty("items").EnumerateArray()).GetProperty("key").GetString());

        // Refused as the console's frames are (docs/protocol.md §4.2): the op's own rules.
        await ProblemAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/status", Body(new { status = "snoozed" })), HttpStatusCode.BadRequest, "invalid_op");
        await ProblemAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/assign", Body(new { to = "visitor:bob" })), HttpStatusCode.BadRequest, "invalid_op");
        await ProblemAsync(await http.PostAsync($"/kefu/api/v1/conversations/{conv}/assign", Body(new { })), HttpStatusCode.BadRequest, "bad_frame");
        // Nothing refused was committed: still closed and unassigned.
        var after = Assert.Single((await JsonAsync(await http.GetAsync("/kefu/api/v1/conversations?status=closed&assignee=none"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("assignee").ValueKind);
    }

    [Fact]
    public async Task HostileInput_GetsItsDocumentedError()
    {
        await using var host = await StartAsync(configure: o => o.Limits.MaxMessageChars = 100);
        await using var visitor = await host.ConnectAsync();
        var conv = await VisitorConversationAsync(visitor, "hi");
        using var http = Client(host, BotKey);
        var url = $"/kefu/api/v1/conversations/{conv}/messages";
        await ProblemAsync(await http.PostAsync(url, new StringContent("{\"text\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "bad_frame");
        await ProblemAsync(await http.PostAsync(url, new StringContent("[1,2]", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "bad_frame");
        await ProblemAsync(await http.PostAsync(url, new StringContent("null", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "bad_frame");
        await ProblemAsync(await http.PostAsync(url, Body(new { text = new string('x', 101) })), HttpStatusCode.BadRequest, "invalid_op");
        await ProblemAsync(await http.PostAsync(url, Body(new { text = 42 })), HttpStatusCode.BadRequest, "bad_frame");
        await ProblemAsync(await http.PostAsync(url, Body(new { })), HttpStatusCode.BadRequest, "invalid_op");
        using (var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Body(new { text = "x" }) })
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 65));
            await ProblemAsync(await http.SendAsync(request), HttpStatusCode.BadRequest, "invalid_op");
        }

        // The server's own op ids (a merge's marker, a bot's replies) cannot be taken through the key either.
        foreach (var serverId in new[] { "merged~", "~assistant:1:0" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Body(new { text = "x" }) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", serverId);
            await ProblemAsync(await http.SendAsync(request), HttpStatusCode.BadRequest, "invalid_op");
        }

        // Larger than a frame (64 KiB by default): refused by its length, and without one (chunked) while it is read.
        await ProblemAsync(await http.PostAsync(url, Body(new { text = new string('x', 70_000) })), HttpStatusCode.RequestEntityTooLarge, "too_large");
        using (var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = new string('x', 70_000) })))))
        {
            chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            await ProblemAsync(await http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "too_large");
        }

        // An unknown conversation is never created by writing to it.
        var unknown = "AAAAAAAAAAAAAAAAAAAAAA";
        await ProblemAsync(await http.PostAsync($"/kefu/api/v1/conversations/{unknown}/messages", Body(new { text = "hi" })), HttpStatusCode.NotFound, "invalid_channel");
        await ProblemAsync(await http.GetAsync($"/kefu/api/v1/conversations/{unknown}/messages"), HttpStatusCode.NotFound, "invalid_channel");
        await ProblemAsync(await http.PostAsync("/kefu/api/v1/conversations/..%2Finbox/status", Body(new { status = "closed" })), HttpStatusCode.NotFound, "invalid_channel");
        Assert.Empty(await host.Store.ReadAsync("conv:" + unknown, 0, 10));
        Assert.Single(await host.Store.ReadAsync("conv:" + conv, 0, 10));
    }

    [Fact]
    public async Task BadKeys_FailTheStart_NamingTheSetting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => KefuTestHost.StartAsync(o =>
        {
            o.Api.Keys.Add(new KefuApiKey { Name = "a", Key = "short", Role = "bot" });
            o.Api.Keys.Add(new KefuApiKey { Name = "a", Key = BotKey, Role = "admin" });
        }));
        Assert.Contains("KefuSync:Api:Keys:0:Key", ex.Message);
        Assert.Contains("KefuSync:Api:Keys:1:Name", ex.Message);
        Assert.Contains("KefuSync:Api:Keys:1:Role", ex.Message);
    }

    [Fact]
    public async Task AConversation_AndItsVisitorsProfile_AreReadByKeyAndId_AndAnUnknownOneIs404()
    {
        await using var host = await StartAsync();
        var tokens = host.Services.GetRequiredService<KefuSync.Security.VisitorTokenService>();
        var (carol, _) = tokens.IssueForHost("carol", "Carol", new Dictionary<string, string> { ["plan"] = "Oolong Club" });
        await using var visitor = await host.ConnectAsync();
        var conv = (await visitor.HelloAsync(carol)).GetProperty("conv").GetString()!;
        await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + conv, id = "v-1", rev = 0, op = new { k = "msg", text = "Where is my tea?" } });
        await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + conv, id = "v-2", rev = 1, op = new { k = "contact", email = "carol@example.com", lang = "en" } });
        await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "v-2");
        using var http = Client(host, AgentKey);

        // The inbox folds in the background: read until the summary has both ops.
        JsonElement one = default;
        for (var i = 0; i < 100 && (one.ValueKind != JsonValueKind.Object || one.GetProperty("email").ValueKind != JsonValueKind.String); i++)
        {
            await Task.Delay(50);
            var response = await http.GetAsync($"/kefu/api/v1/conversations/{conv}");
            one = response.StatusCode == HttpStatusCode.OK ? await JsonAsync(response, HttpStatusCode.OK) : default;
        }

        Assert.Equal(conv, one.GetProperty("key").GetString());
        Assert.Equal("Where is my tea?", one.GetProperty("lastText").GetString());
        Assert.Equal("carol@example.com", one.GetProperty("email").GetString());
        Assert.Equal("h_carol", one.GetProperty("visitorId").GetString());

        var profile = await JsonAsync(await http.GetAsync("/kefu/api/v1/visitors/h_carol"), HttpStatusCode.OK);
        Assert.Equal("h_carol", profile.GetProperty("id").GetString());
        Assert.Equal("Carol", profile.GetProperty("name").GetString());
        Assert.False(profile.GetProperty("generated").GetBoolean());
        Assert.Equal("carol@example.com", profile.GetProperty("email").GetString());
        Assert.Equal("en", profile.GetProperty("lang").GetString());
        Assert.Equal("Oolong Club", profile.GetProperty("fields").GetProperty("plan").GetString());
        Assert.Equal(conv, profile.GetProperty("conversation").GetString());

        await ProblemAsync(await http.GetAsync("/kefu/api/v1/visitors/h_mallory"), HttpStatusCode.NotFound, "invalid_channel");
        await ProblemAsync(await http.GetAsync("/kefu/api/v1/visitors/carol"), HttpStatusCode.NotFound, "invalid_channel"); // the id is h_carol
        await ProblemAsync(await http.GetAsync("/kefu/api/v1/conversations/nobody-here"), HttpStatusCode.NotFound, "invalid_channel");
        await ProblemAsync(await http.GetAsync("/kefu/api/v1/conversations/bad%20key"), HttpStatusCode.NotFound, "invalid_channel");
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryEndpoint_TheirSchemas_AndTheBearerScheme()
    {
        await using var host = await StartAsync();
        using var http = Client(host, null);
        var doc = await JsonAsync(await http.GetAsync("/kefu/api/openapi/kefusync.json"), HttpStatusCode.OK);
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var operations = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "GET /kefu/api/v1/conversations",
                "GET /kefu/api/v1/conversations/{key}",
                "GET /kefu/api/v1/conversations/{key}/messages",
                "GET /kefu/api/v1/visitors/{id}",
                "POST /kefu/api/v1/conversations/{key}/assign",
                "POST /kefu/api/v1/conversations/{key}/messages",
                "POST /kefu/api/v1/conversations/{key}/status",
            ],
            operations);
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        foreach (var name in new[] { "ApiConversationPage", "ApiConversation", "ApiVisitor", "ApiMessagePage", "ApiPostMessage", "ApiSetStatus", "ApiAssign", "ApiCommitted" })
        {
            Assert.True(schemas.TryGetProperty(name, out _), "schema " + name);
        }

        var bearer = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.True(doc.GetProperty("security")[0].TryGetProperty("bearer", out _));
        var post = doc.GetProperty("paths").GetProperty("/kefu/api/v1/conversations/{key}/messages").GetProperty("post");
        Assert.True(post.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }
}
