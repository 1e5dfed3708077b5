using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Integration.Tests.Webhooks;
using KefuSync.Redis;
using KefuSync.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>
/// The console's Integrations panel on two nodes that share a real Redis (store, backplane and Data Protection key ring)
/// and nothing else: a key created on one node opens the API on the other and a revoke on the other refuses it on both;
/// a webhook endpoint added on one node is delivered, signed with its generated secret, for a message committed on the other.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ConsoleAdminOnRedisTests(RedisServerFixture redis)
{
    private async Task<(KefuTestHost A, KefuTestHost B)> StartNodesAsync()
    {
        var prefix = "admin" + Guid.NewGuid().ToString("N")[..8] + ":";
        async Task<KefuTestHost> StartAsync() => await KefuTestHost.StartAsync(
            o =>
            {
                o.AdminPolicy = "KefuAdmin";
                o.Webhooks.AllowPrivateNetworks = true; // the receiver is on 127.0.0.1
            },
            kestrel: true,
            services: s =>
            {
                s.AddAuthorization(o => o.AddPolicy("KefuAdmin", p => p.RequireRole("admin")));
                // Separate key directories, as separate machines have: the shared ring comes from Redis alone.
                s.AddDataProtection().PersistKeysToFileSystem(Directory.CreateTempSubdirectory("kefu-admin-"));
            },
            kefu: b => b.AddRedis(r =>
            {
                r.Configuration = redis.Configuration;
                r.KeyPrefix = prefix;
                r.OperationTimeout = TimeSpan.FromSeconds(10); // about the panel, not Redis latency under CI load
            }).PersistDataProtectionKeysToRedis());
        return (await StartAsync(), await StartAsync());
    }

    private static HttpClient Admin(KefuTestHost host)
    {
        var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Add("X-Test-User", "alice");
        http.DefaultRequestHeaders.Add("X-Test-Role", "agent,admin");
        http.DefaultRequestHeaders.Add("X-Kefu-Admin", "1");
        return http;
    }

    private static HttpClient Api(KefuTestHost host, string key)
    {
        var http = host.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> CreatedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task AKeyCreatedOnA_OpensTheApiOnB_AndARevokeOnB_RefusesItOnBoth()
    {
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            var secret = (await CreatedAsync(await Admin(a).PostAsync("/kefu/console/admin/keys", Body(new { name = "zapier", role = "bot", scopes = new[] { "conversations:read" } })))).GetProperty("secret").GetString()!;
            using var onB = Api(b, secret);
            using var onA = Api(a, secret);
            Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/kefu/api/v1/conversations")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await Admin(b).PostAsync("/kefu/console/admin/keys/zapier/revoke", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/kefu/api/v1/conversations")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/kefu/api/v1/conversations")).StatusCode);
        }
    }

    [Fact]
    public async Task AnEndpointAddedOnA_IsDelivered_ForAMessageCommittedOnB_SignedWithItsSecret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        var (a, b) = await StartNodesAsync();
        await using (a)
        await using (b)
        {
            var created = await CreatedAsync(await Admin(a).PostAsync("/kefu/console/admin/webhooks", Body(new { name = "zapier", url = receiver.Url, events = new[] { "message.created" } })));
            receiver.VerifyWith = created.GetProperty("secret").GetString()!;
            // Node B learns of the endpoint within its look at the console's list; either node may deliver.
            await Task.Delay(KefuSync.Webhooks.WebhookDeliveryService.ConsoleSyncInterval + TimeSpan.FromMilliseconds(500));
            var key = ConversationKeys.ForVisitor("on-redis");
            Assert.True((await b.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(key, "Committed on B", new KefuSender("bot:helper", "Helper"), "b-1")).Committed);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (receiver.Received.Count == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the message never arrived");
                await Task.Delay(25);
            }

            var got = Assert.Single(receiver.Received);
            Assert.True(got.Verified);
            Assert.Equal(key, got.Conversation);
        }
    }
}
