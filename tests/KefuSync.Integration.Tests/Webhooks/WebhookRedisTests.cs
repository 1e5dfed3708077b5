using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Sync;
using KefuSync.Tests.Infrastructure;
using KefuSync.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KefuSync.Integration.Tests.Webhooks;

/// <summary>
/// Webhooks on two nodes sharing a real redis-server (store and backplane), on the real clock with a short lease: the
/// lease and the cursors work through the Redis store's expected-revision appends as they do in memory.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class WebhookRedisTests(RedisServerFixture redis) : IAsyncLifetime
{
    private static readonly KefuSender Bot = new("bot:helper", "Helper");
    private readonly string _prefix = "wh" + Guid.NewGuid().ToString("N")[..8] + ":";
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(TimeProvider.System);

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private Task<KefuTestHost> NodeAsync() => KefuTestHost.StartAsync(
        o =>
        {
            o.Webhooks.AllowPrivateNetworks = true;
            o.Webhooks.LeaseDuration = TimeSpan.FromSeconds(3);
            o.Webhooks.RequestTimeout = TimeSpan.FromSeconds(1);
            o.Webhooks.PollInterval = TimeSpan.FromMilliseconds(100);
        },
        kefu: b => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = _prefix; }).AddWebhook("crm", _receiver.Url, WebhookReceiver.Secret));

    private static WebhookRunner Runner(KefuTestHost host) => host.Services.GetServices<IHostedService>().OfType<WebhookDeliveryService>().Single().Runners.Single();

    private static async Task<string?> HolderAsync(KefuTestHost host) => (await host.Services.GetRequiredService<IKefuWebhooks>().GetStatusAsync()).Single().Node;

    private static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting until " + what);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task TwoNodesOnRedis_DeliverEachEventOnce_AndTheSurvivorTakesOverAfterAKill()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var nodes = new[] { a, b };
        var stopped = new List<KefuTestHost>();
        try
        {
            await UntilAsync(async () => await HolderAsync(a) is not null, "a node holds the lease");
            var holderId = await HolderAsync(a);
            var holder = nodes.Single(n => n.Services.GetRequiredService<NodeIdentity>().Id == holderId);
            var survivor = nodes.Single(n => n != holder);
            var keys = Enumerable.Range(0, 10).Select(i => ConversationKeys.ForVisitor(_prefix + i)).ToArray();
            for (var i = 0; i < keys.Length; i++)
            {
                var on = i % 2 == 0 ? holder : survivor;
                for (var m = 1; m <= 3; m++)
                {
                    Assert.True((await on.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(keys[i], $"#{m}", Bot, $"b-{m}")).Committed);
                }
            }

            await UntilAsync(() => Task.FromResult(_receiver.Received.Count >= 40), "every event arrived");
            await Task.Delay(300);
            Assert.Equal(40, _receiver.Received.Count);
            Assert.Equal(40, _receiver.Received.Select(r => r.Id).Distinct().Count()); // once each
            Assert.All(_receiver.Received, r => Assert.True(r.Verified));
            foreach (var key in keys)
            {
                Assert.Equal([0L, 1, 2, 3], _receiver.Received.Where(r => r.Conversation == key).Select(r => r.Type == "conversation.created" ? 0 : r.Revision));
            }

            Runner(holder).SimulateCrash = true;
            stopped.Add(holder);
            await holder.DisposeAsync();
            var late = ConversationKeys.ForVisitor(_prefix + "late");
            Assert.True((await survivor.Services.GetRequiredService<IKefuSyncService>().PostMessageAsync(late, "still there?", Bot, "b-1")).Committed);
            await UntilAsync(() => Task.FromResult(_receiver.Received.Any(r => r.Id == $"kefu_{late}_1")), "the survivor took over and delivered");
            Assert.Equal(survivor.Services.GetRequiredService<NodeIdentity>().Id, await HolderAsync(survivor));
            Assert.True(keys.SelectMany(k => Enumerable.Range(0, 4).Select(r => $"kefu_{k}_{r}")).All(id => _receiver.Received.Any(r => r.Id == id)));
        }
        finally
        {
            foreach (var node in nodes.Except(stopped))
            {
                await node.DisposeAsync();
            }
        }
    }
}
