using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.RestApi;
using KefuSync.Stores;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.RestApi;

/// <summary>
/// API keys created in the console's Integrations panel (docs/rest-api.md "Keys created in the console"): admins only,
/// stored as a hash, limited to their scopes, refused on every node from the moment they are revoked; on real Kestrel.
/// </summary>
public sealed class ConsoleApiKeyTests
{
    private const string OptionsKey = "options-key-0123456789abcdefghijklmnopqr";
    private readonly InMemoryOpStore _store = new();

    private Task<KefuTestHost> NodeAsync(bool admin = true, bool optionsKey = false) => KefuTestHost.StartAsync(
        o =>
        {
            if (admin)
            {
                o.AdminPolicy = "KefuAdmin";
            }

            if (optionsKey)
            {
                o.Api.Keys.Add(new KefuApiKey { Name = "crm", Key = OptionsKey, Role = "agent", Scopes = [KefuApiScopes.ConversationsRead] });
            }
        },
        kestrel: true,
        services: s =>
        {
            s.AddAuthorization(o => o.AddPolicy("KefuAdmin", p => p.RequireRole("admin")));
            // One store for both nodes of a test, as Redis or a database would be.
            s.AddSingleton(_store);
            s.AddSingleton<IOpStore>(_store);
        });

    /// <summary>A client logged in as <paramref name="user"/> with these roles; writes carry the console's header and Origin.</summary>
    private static HttpClient As(KefuTestHost host, string user, string roles, bool consoleHeaders = true)
    {
        var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Test-User", user);
        http.DefaultRequestHeaders.Add("X-Test-Role", roles);
        if (consoleHeaders)
        {
            http.DefaultRequestHeaders.Add("X-Kefu-Admin", "1");
            http.DefaultRequestHeaders.Add("Origin", host.BaseAddress.GetLeftPart(UriPartial.Authority));
        }

        return http;
    }

    private static HttpClient Api(KefuTestHost host, string key)
    {
        var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<string> CreateAsync(HttpClient admin, string name, params string[] scopes)
    {
        var created = await JsonAsync(await admin.PostAsync("/kefu/console/admin/keys", Body(new { name, role = "bot", displayName = "Zapier", scopes })), HttpStatusCode.Created);
        return created.GetProperty("secret").GetString()!;
    }

    [Fact]
    public async Task WithoutAnAdminPolicy_ThePanelIsAbsent_AndTheConsoleOffersNone()
    {
        await using var host = await NodeAsync(admin: false);
        using var http = As(host, "alice", "agent,admin");
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/kefu/console/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/kefu/console/admin/keys", Body(new { name = "x", role = "bot", scopes = new[] { "messages:read" } }))).StatusCode);
        Assert.DoesNotContain("data-kefu-admin", await http.GetStringAsync("/kefu/console"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyAdmins_ReachThePanel_AndOnlyTheirConsoleSaysSo()
    {
        await using var host = await NodeAsync();
        using var admin = As(host, "alice", "agent,admin");
        using var agent = As(host, "bob", "agent");
        using var nobody = host.CreateHttpClient();
        Assert.Contains("data-kefu-admin=\"1\"", await admin.GetStringAsync("/kefu/console"), StringComparison.Ordinal);
        Assert.DoesNotContain("data-kefu-admin", await agent.GetStringAsync("/kefu/console"), StringComparison.Ordinal);
        await JsonAsync(await admin.GetAsync("/kefu/console/admin/keys"), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync("/kefu/console/admin/keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync("/kefu/console/admin/keys", Body(new { name = "x", role = "bot", scopes = new[] { "messages:read" } }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await nobody.GetAsync("/kefu/console/admin/webhooks")).StatusCode);
        Assert.Empty(await _store.ReadAsync(ApiKeyDirectory.Channel, 0, 10));
    }

    [Fact]
    public async Task AWrite_WithoutTheConsolesHeader_OrFromAnotherOrigin_IsRefused_AndChangesNothing()
    {
        await using var host = await NodeAsync();
        using var bare = As(host, "alice", "agent,admin", consoleHeaders: false);
        var refused = await JsonAsync(await bare.PostAsync("/kefu/console/admin/keys", Body(new { name = "x", role = "bot", scopes = new[] { "messages:read" } })), HttpStatusCode.Forbidden);
        Assert.Equal("forbidden", refused.GetProperty("code").GetString());
        Assert.Contains("X-Kefu-Admin", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var foreign = As(host, "alice", "agent,admin", consoleHeaders: false);
        foreign.DefaultRequestHeaders.Add("X-Kefu-Admin", "1");
        foreign.DefaultRequestHeaders.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await foreign.PostAsync("/kefu/console/admin/keys", Body(new { name = "x", role = "bot", scopes = new[] { "messages:read" } }))).StatusCode);
        Assert.Empty(await _store.ReadAsync(ApiKeyDirectory.Channel, 0, 10));
    }

    [Fact]
    public async Task ACreatedKey_IsShownOnce_StoredAsItsHash_AndOpensTheApi_WithItsScopesOnly()
    {
        await using var host = await NodeAsync();
        using var admin = As(host, "alice", "agent,admin");
        using (var before = Api(host, "kfs_nothing-yet-0123456789abcdefghijklmnop"))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await before.GetAsync("/kefu/api/v1/conversations")).StatusCode); // no key anywhere: off
        }

        var secret = await CreateAsync(admin, "zapier", KefuApiScopes.ConversationsRead);
        Assert.StartsWith("kfs_", secret, StringComparison.Ordinal);
        Assert.True(secret.Length >= 40, secret);

        // The log holds the hash and a hint, never the secret.
        var record = Assert.Single(await _store.ReadAsync(ApiKeyDirectory.Channel, 0, 10));
        var stored = Encoding.UTF8.GetString(record.Payload.Span);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[8..], stored, StringComparison.Ordinal);
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), JsonDocument.Parse(stored).RootElement.GetProperty("hash").GetString());
        Assert.Equal("agent:alice", record.Author);

        var listed = (await JsonAsync(await admin.GetAsync("/kefu/console/admin/keys"), HttpStatusCode.OK)).GetProperty("keys").EnumerateArray().Single();
        Assert.Equal("zapier", listed.GetProperty("name").GetString());
        Assert.Equal(secret[..8], listed.GetProperty("hint").GetString());
        Assert.Equal("console", listed.GetProperty("source").GetString());
        Assert.Equal("agent:alice", listed.GetProperty("createdBy").GetString());
        Assert.False(listed.TryGetProperty("secret", out _));
        Assert.DoesNotContain(secret, await admin.GetStringAsync("/kefu/console/admin/keys"), StringComparison.Ordinal);

        using var api = Api(host, secret);
        await JsonAsync(await api.GetAsync("/kefu/api/v1/conversations"), HttpStatusCode.OK);
        var lacking = await JsonAsync(await api.GetAsync("/kefu/api/v1/conversations/v_x/messages"), HttpStatusCode.Forbidden);
        Assert.Equal("forbidden", lacking.GetProperty("code").GetString());
        Assert.Equal("This key lacks the scope 'messages:read'.", lacking.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync("/kefu/api/v1/conversations/v_x/messages", Body(new { text = "hi" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync("/kefu/api/v1/conversations/v_x/status", Body(new { status = "closed" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/kefu/api/v1/visitors/h_carol")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/kefu/api/v1/conversations/v_x")).StatusCode); // in scope, and unknown
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/kefu/api/openapi/kefusync.json")).StatusCode); // the document is on with the API
    }

    [Fact]
    public async Task ARevokedKey_Is401_OnEveryNode_FromTheMomentTheRevokeIsAnswered()
    {
        await using var one = await NodeAsync();
        await using var two = await NodeAsync();
        using var admin = As(one, "alice", "agent,admin");
        var secret = await CreateAsync(admin, "zapier", KefuApiScopes.ConversationsRead, KefuApiScopes.MessagesRead);
        using var onTwo = Api(two, secret);
        await JsonAsync(await onTwo.GetAsync("/kefu/api/v1/conversations"), HttpStatusCode.OK); // created on one, admitted on two

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/kefu/console/admin/keys/zapier/revoke", null)).StatusCode);
        var refused = await onTwo.GetAsync("/kefu/api/v1/conversations");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        using var onOne = Api(one, secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onOne.GetAsync("/kefu/api/v1/conversations")).StatusCode);

        var listed = (await JsonAsync(await As(two, "carol", "agent,admin").GetAsync("/kefu/console/admin/keys"), HttpStatusCode.OK)).GetProperty("keys").EnumerateArray().Single();
        Assert.Equal("agent:alice", listed.GetProperty("revokedBy").GetString());
        Assert.True(listed.TryGetProperty("revokedAt", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/kefu/console/admin/keys/zapier/revoke", null)).StatusCode); // once
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/kefu/console/admin/keys/nobody/revoke", null)).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"","role":"bot","scopes":["messages:read"]}""", "A name is")]
    [InlineData("""{"name":"has space","role":"bot","scopes":["messages:read"]}""", "A name is")]
    [InlineData("""{"name":"crm","role":"bot","scopes":["messages:read"]}""", "is a key in the options")]
    [InlineData("""{"name":"x","role":"admin","scopes":["messages:read"]}""", "The role is agent or bot")]
    [InlineData("""{"name":"x","role":"bot","scopes":[]}""", "Choose one or more scopes")]
    [InlineData("""{"name":"x","role":"bot","scopes":["messages:delete"]}""", "Choose one or more scopes")]
    [InlineData("""{"name":"x","role":"bot"}""", "Choose one or more scopes")]
    [InlineData("""{"name":"x","role":"bot","scopes":"messages:read"}""", "The body is not a key to create")]
    [InlineData("""[1,2]""", "The body is not a key to create")]
    public async Task ABadKey_IsRefusedWithTheReason_AndNothingIsStored(string body, string reason)
    {
        await using var host = await NodeAsync(optionsKey: true);
        using var admin = As(host, "alice", "agent,admin");
        var refused = await JsonAsync(await admin.PostAsync("/kefu/console/admin/keys", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains(reason, refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _store.ReadAsync(ApiKeyDirectory.Channel, 0, 10));
    }

    [Fact]
    public async Task AName_IsNeverUsedTwice_EvenAfterARevoke()
    {
        await using var host = await NodeAsync();
        using var admin = As(host, "alice", "agent,admin");
        await CreateAsync(admin, "zapier", KefuApiScopes.MessagesRead);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/kefu/console/admin/keys", Body(new { name = "zapier", role = "bot", scopes = new[] { "messages:read" } }))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/kefu/console/admin/keys/zapier/revoke", null)).StatusCode);
        var again = await JsonAsync(await admin.PostAsync("/kefu/console/admin/keys", Body(new { name = "zapier", role = "bot", scopes = new[] { "messages:read" } })), HttpStatusCode.BadRequest);
        Assert.Contains("never reused", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOptionsKey_IsListedReadOnly_KeepsItsScopes_AndCannotBeRevokedHere()
    {
        await using var host = await NodeAsync(optionsKey: true);
        using var admin = As(host, "alice", "agent,admin");
        var listed = (await JsonAsync(await admin.GetAsync("/kefu/console/admin/keys"), HttpStatusCode.OK)).GetProperty("keys").EnumerateArray().Single();
        Assert.Equal("options", listed.GetProperty("source").GetString());
        Assert.Equal(["conversations:read"], listed.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/kefu/console/admin/keys/crm/revoke", null)).StatusCode);
        using var api = Api(host, OptionsKey);
        await JsonAsync(await api.GetAsync("/kefu/api/v1/conversations"), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/kefu/api/v1/conversations/v_x/messages")).StatusCode);
    }

    [Fact]
    public async Task NoClient_CanReadOrWriteTheKeysLog()
    {
        await using var host = await NodeAsync();
        using var admin = As(host, "alice", "agent,admin");
        await CreateAsync(admin, "zapier", KefuApiScopes.MessagesRead);
        await using var alice = await host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        await alice.SendAsync(new { t = "sub", c = "a", ch = ApiKeyDirectory.Channel, rev = 0 });
        Assert.Equal("invalid_channel", (await alice.WaitForTypeAsync("error")).GetProperty("code").GetString());
        await alice.SendAsync(new { t = "submit", c = "a", ch = ApiKeyDirectory.Channel, id = "x-1", rev = 1, op = new { k = "revoke", name = "zapier", by = "agent:alice" } });
        Assert.Equal("invalid_channel", (await alice.WaitForTypeAsync("error")).GetProperty("code").GetString());
        Assert.Single(await _store.ReadAsync(ApiKeyDirectory.Channel, 0, 10));
    }

    [Fact]
    public async Task ThePanel_ListsWebhookEndpoints_AndResumeOfAnUnknownOneIs404()
    {
        await using var host = await NodeAsync();
        using var admin = As(host, "alice", "agent,admin");
        var list = await JsonAsync(await admin.GetAsync("/kefu/console/admin/webhooks"), HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("endpoints").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/kefu/console/admin/webhooks/nobody/resume", null)).StatusCode);
        var response = await admin.GetAsync("/kefu/console/admin/keys");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
