using System.Net;
using System.Text;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Webhooks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Webhooks;

/// <summary>
/// Webhook endpoints added and removed by an admin in the console (docs/webhooks.md §1): two nodes on one store and one
/// Data Protection key ring, a real receiver that verifies the generated secret, on real Kestrel.
/// </summary>
public sealed class ConsoleWebhookTests : IAsyncLifetime
{
    private static readonly KefuSender Bot = new("bot:helper", "Helper");
    private readonly InMemoryOpStore _store = new();
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("kefu-wh-keys-");
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(TimeProvider.System);

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _keys.Delete(recursive: true);
    }

    private Task<KefuTestHost> NodeAsync(bool optionsEndpoint = false) => KefuTestHost.StartAsync(
        o =>
        {
            o.AdminPolicy = "KefuAdmin";
            o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
            o.Webhooks.RetryDelay = TimeSpan.FromMilliseconds(100);
            o.Webhooks.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
        },
        kestrel: true,
        kefu: optionsEndpoint ? k => k.AddWebhook("crm", _receiver.Url, WebhookReceiver.Secret) : null,
        services: s =>
        {
            s.AddAuthorization(o => o.AddPolicy("KefuAdmin", p => p.RequireRole("admin")));
            // One store and one key ring for both nodes, as Redis or a database and a shared key ring would be.
            s.AddSingleton(_store);
            s.AddSingleton<IOpStore>(_store);
            s.AddSingleton<ISnapshotStore>(_store);
            s.AddDataProtection().SetApplicationName("kefu-console-webhooks").PersistKeysToFileSystem(_keys);
        });

    private static HttpClient Admin(KefuTestHost host)
    {
        var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Test-User", "alice");
        http.DefaultRequestHeaders.Add("X-Test-Role", "agent,admin");
        http.DefaultRequestHeaders.Add("X-Kefu-Admin", "1");
        return http;
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task UntilAsync(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting until " + what);
            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task AnAddedEndpoint_IsDeliveredFromEitherNode_Signed_ItsSecretStoredEncrypted_AndARemovedOneGetsNothingMore()
    {
        await using var one = await NodeAsync();
        await using var two = await NodeAsync();
        using var admin = Admin(one);
        var created = await JsonAsync(await admin.PostAsync("/kefu/console/admin/webhooks", Body(new { name = "zapier", url = _receiver.Url, events = new[] { "message.created" } })), HttpStatusCode.Created);
        var secret = created.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        _receiver.VerifyWith = secret;

        // The log holds the secret encrypted: neither it nor its key bytes are in the record.
        var record = Encoding.UTF8.GetString(Assert.Single(await _store.ReadAsync(ConsoleWebhookDirectory.Channel, 0, 10)).Payload.Span);
        Assert.DoesNotContain(secret, record, StringComparison.Ordinal);
        Assert.DoesNotContain(secret["whsec_".Length..], record, StringComparison.Ordinal);

        // A message committed on node two reaches the receiver once, signed with the generated secret, whichever node holds the lease.
        var key = ConversationKeys.ForVisitor("console-hook");
        Assert.True((await two.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(key, "Hello from node two", Bot, "b-1")).Committed);
        await UntilAsync(() => _receiver.Received.Count >= 1, "the message arrived");
        var got = Assert.Single(_receiver.Received);
        Assert.True(got.Verified, "the signature verifies with the generated secret");
        Assert.Equal("message.created", got.Type);
        Assert.Equal(key, got.Conversation);

        var listed = (await JsonAsync(await Admin(two).GetAsync("/kefu/console/admin/webhooks"), HttpStatusCode.OK)).GetProperty("endpoints").EnumerateArray().Single();
        Assert.Equal("zapier", listed.GetProperty("name").GetString());
        Assert.Equal("console", listed.GetProperty("source").GetString());
        Assert.Equal("agent:alice", listed.GetProperty("createdBy").GetString());
        Assert.Equal(["message.created"], listed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Active", listed.GetProperty("state").GetString());
        Assert.False(listed.TryGetProperty("secret", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await Admin(two).PostAsync("/kefu/console/admin/webhooks/zapier/remove", null)).StatusCode);
        Assert.Empty((await JsonAsync(await admin.GetAsync("/kefu/console/admin/webhooks"), HttpStatusCode.OK)).GetProperty("endpoints").EnumerateArray());
        // Both nodes stop it: the one that removed it at once, the other within its look at the console's list.
        await Task.Delay(WebhookDeliveryService.ConsoleSyncInterval * 2);
        Assert.True((await one.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(key, "After the removal", Bot, "b-2")).Committed);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Single(_receiver.Received);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/kefu/console/admin/webhooks/zapier/remove", null)).StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"","url":"https://crm.example/hooks"}""", "Name must be")]
    [InlineData("""{"name":"has space","url":"https://crm.example/hooks"}""", "Name must be")]
    [InlineData("""{"name":"x","url":"ftp://crm.example/hooks"}""", "Url must be an absolute http(s) URL")]
    [InlineData("""{"name":"x","url":"https://user:pw@crm.example/hooks"}""", "without credentials")]
    [InlineData("""{"name":"x","url":"/relative"}""", "Url must be")]
    [InlineData("""{"name":"x","url":"https://crm.example/hooks","events":["message.deleted"]}""", "not an event type")]
    [InlineData("""{"name":"crm","url":"https://crm.example/hooks"}""", "is an endpoint in the options")]
    [InlineData("""{"name":"x","url":"https://crm.example/hooks","events":"all"}""", "The body is not an endpoint to add")]
    public async Task ABadEndpoint_IsRefusedWithTheReason_AndNothingIsStored(string body, string reason)
    {
        await using var host = await NodeAsync(optionsEndpoint: true);
        var refused = await JsonAsync(await Admin(host).PostAsync("/kefu/console/admin/webhooks", new StringContent(body, Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains(reason, refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _store.ReadAsync(ConsoleWebhookDirectory.Channel, 0, 10));
    }

    [Fact]
    public async Task AName_IsNeverUsedTwice_AndOnlyAdminsWithTheConsolesHeaderMayAdd()
    {
        await using var host = await NodeAsync();
        using var admin = Admin(host);
        await JsonAsync(await admin.PostAsync("/kefu/console/admin/webhooks", Body(new { name = "zapier", url = "https://hooks.example/a" })), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/kefu/console/admin/webhooks/zapier/remove", null)).StatusCode);
        var again = await JsonAsync(await admin.PostAsync("/kefu/console/admin/webhooks", Body(new { name = "zapier", url = "https://hooks.example/b" })), HttpStatusCode.BadRequest);
        Assert.Contains("never reused", again.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var agent = host.CreateHttpClient();
        agent.DefaultRequestHeaders.Add("X-Test-User", "bob");
        agent.DefaultRequestHeaders.Add("X-Test-Role", "agent");
        agent.DefaultRequestHeaders.Add("X-Kefu-Admin", "1");
        Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync("/kefu/console/admin/webhooks", Body(new { name = "other", url = "https://hooks.example/c" }))).StatusCode);
        using var noHeader = host.CreateHttpClient();
        noHeader.DefaultRequestHeaders.Add("X-Test-User", "alice");
        noHeader.DefaultRequestHeaders.Add("X-Test-Role", "agent,admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await noHeader.PostAsync("/kefu/console/admin/webhooks", Body(new { name = "other", url = "https://hooks.example/c" }))).StatusCode);
        Assert.Equal(2, (await _store.ReadAsync(ConsoleWebhookDirectory.Channel, 0, 10)).Count); // the add and the remove
    }
}
