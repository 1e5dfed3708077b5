using System.Text;
using KefuSync.Backplane;
using KefuSync.Redis;
using KefuSync.Redis.Backplane;
using KefuSync.Redis.Connection;
using KefuSync.Redis.Stores;
using KefuSync.Stores.Tests.Providers;
using KefuSync.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KefuSync.Stores.Tests.Redis;

/// <summary>Redis-specific behaviour beyond the specification: prefixes, the connection factory, registration, validation.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisProviderTests(RedisServerFixture server)
{
    [Fact]
    public async Task KeyPrefix_AppliesToKeysAndChannel_EvenWithAConnectionFactory()
    {
        // aspnetcore #42942: SignalR ignored its prefix when a factory made the connection.
        using var hostMultiplexer = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},abortConnect=false");
        var prefix = TestHosts.UniquePrefix();
        await using var services = TestHosts.Redis(options =>
        {
            options.KeyPrefix = prefix;
            options.ConnectionFactory = _ => Task.FromResult<IConnectionMultiplexer>(hostMultiplexer);
        });

        await services.GetRequiredService<IOpStore>().AppendAsync("room:1", 0, new OpDraft("a", "v", DateTimeOffset.UnixEpoch, "{}"u8.ToArray()));
        var db = hostMultiplexer.GetDatabase();
        Assert.True(await db.KeyExistsAsync($"{prefix}{{room:1}}:head"));
        Assert.True(await db.KeyExistsAsync($"{prefix}{{room:1}}:ids"));
        Assert.True(await db.KeyExistsAsync($"{prefix}{{room:1}}:ops"));

        var raw = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await hostMultiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal(prefix + "backplane"), (_, value) => raw.TrySetResult((byte[])value!));
        var backplane = services.GetRequiredService<IBackplane>();
        await backplane.PublishAsync(new BackplaneMessage(BackplaneMessageKind.Op, "room:1", 1, "n1", "{\"x\":1}"u8.ToArray()));
        Assert.True(BackplaneEnvelope.TryDecode(await raw.Task.WaitAsync(TimeSpan.FromSeconds(5)), out var decoded));
        Assert.Equal("{\"x\":1}", Encoding.UTF8.GetString(decoded.Payload.Span));

        await services.DisposeAsync();
        Assert.True(hostMultiplexer.IsConnected, "KefuSync must not dispose a multiplexer the host owns");
    }

    [Fact]
    public async Task Backplanes_WithDifferentPrefixes_DoNotSeeEachOther()
    {
        await using var site1 = TestHosts.Redis(o => { o.Configuration = server.Configuration; o.KeyPrefix = TestHosts.UniquePrefix(); }, backplaneOnly: true);
        await using var site2 = TestHosts.Redis(o => { o.Configuration = server.Configuration; o.KeyPrefix = TestHosts.UniquePrefix(); }, backplaneOnly: true);
        var seenBySite2 = 0;
        var seenBySite1 = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var s2 = await site2.GetRequiredService<IBackplane>().SubscribeAsync(_ => { Interlocked.Increment(ref seenBySite2); return Task.CompletedTask; });
        await using var s1 = await site1.GetRequiredService<IBackplane>().SubscribeAsync(_ => { seenBySite1.TrySetResult(); return Task.CompletedTask; });

        await site1.GetRequiredService<IBackplane>().PublishAsync(new BackplaneMessage(BackplaneMessageKind.Op, "c", 1, "n", "{}"u8.ToArray()));
        await seenBySite1.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(100);
        Assert.Equal(0, Volatile.Read(ref seenBySite2));
    }

    [Fact]
    public async Task AddRedis_RegistersStoreSnapshotsAndBackplane_OverOneSharedConnection()
    {
        await using var services = TestHosts.Redis(o => o.Configuration = server.Configuration);

        Assert.IsType<RedisOpStore>(services.GetRequiredService<IOpStore>());
        Assert.Same(services.GetRequiredService<IOpStore>(), services.GetRequiredService<ISnapshotStore>());
        Assert.IsType<RedisBackplane>(services.GetRequiredService<IBackplane>());
        Assert.Single(services.GetServices<RedisConnection>());
        Assert.Equal("kefu:backplane", ((RedisBackplane)services.GetRequiredService<IBackplane>()).ChannelName);
    }

    [Fact]
    public async Task AddRedisBackplane_LeavesTheStoreAlone()
    {
        await using var services = TestHosts.Redis(o => o.Configuration = server.Configuration, backplaneOnly: true);
        Assert.IsType<RedisBackplane>(services.GetRequiredService<IBackplane>());
        Assert.Null(services.GetService<IOpStore>()); // AddKefuSync (not called here) registers the default store
    }

    [Theory]
    [InlineData("", "kefu:", 2000, "Configuration is empty")]
    [InlineData("localhost", "", 2000, "KeyPrefix is empty")]
    [InlineData("localhost", "a{b}:", 2000, "contains '{' or '}'")]
    [InlineData("localhost", "kefu:", 0, "OperationTimeout")]
    public void Options_AreValidated_WithMessagesThatNameTheFix(string configuration, string prefix, int timeoutMs, string expected)
    {
        using var services = TestHosts.Redis(o =>
        {
            o.Configuration = configuration;
            o.KeyPrefix = prefix;
            o.OperationTimeout = TimeSpan.FromMilliseconds(timeoutMs);
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KefuSyncRedisOptions>>().Value);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Envelope_RejectsForeignOrTruncatedMessages()
    {
        Assert.False(BackplaneEnvelope.TryDecode(null, out _));
        Assert.False(BackplaneEnvelope.TryDecode("hello"u8.ToArray(), out _));
        var valid = BackplaneEnvelope.Encode(new BackplaneMessage(BackplaneMessageKind.Op, "channel", 5, "node", "{}"u8.ToArray()));
        Assert.True(BackplaneEnvelope.TryDecode(valid, out _));
        Assert.False(BackplaneEnvelope.TryDecode(valid[..14], out _));
        valid[0] = 99; // a future format version
        Assert.False(BackplaneEnvelope.TryDecode(valid, out _));
    }
}
