using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.MultiNode;

/// <summary>
/// A visitor token minted on one node is accepted on another only when the nodes share the Data Protection key ring.
/// Each node here gets its own key directory, as separate machines would have; <c>PersistDataProtectionKeysToRedis()</c>
/// moves the ring into KefuSync's Redis.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DataProtectionTests(RedisServerFixture redis)
{
    private async Task<KefuTestHost> StartNodeAsync(string prefix, bool sharedKeys)
    {
        var keys = Directory.CreateTempSubdirectory("kefu-dp-").FullName;
        return await KefuTestHost.StartAsync(
            services: s => s.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keys)),
            kefu: b =>
            {
                b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; });
                if (sharedKeys)
                {
                    b.PersistDataProtectionKeysToRedis();
                }
            });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task VisitorToken_MintedOnNodeA_IsAcceptedOnNodeB_OnlyWithSharedKeys(bool sharedKeys)
    {
        var prefix = "dp" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var a = await StartNodeAsync(prefix, sharedKeys);
        await using var b = await StartNodeAsync(prefix, sharedKeys);

        await using var onA = await a.ConnectAsync();
        var minted = await onA.HelloAsync();
        var token = minted.GetProperty("token").GetString()!;
        var visitor = minted.GetProperty("me").GetProperty("id").GetString();

        await using var onB = await b.ConnectAsync();
        var reply = await onB.HelloAsync(token);
        if (sharedKeys)
        {
            Assert.Equal("welcome", KefuTestClient.Type(reply));
            Assert.Equal(visitor, reply.GetProperty("me").GetProperty("id").GetString());
            Assert.Equal(minted.GetProperty("conv").GetString(), reply.GetProperty("conv").GetString());
        }
        else
        {
            // Separate key rings: node B cannot read node A's token (the failure the option exists for).
            Assert.Equal("error", KefuTestClient.Type(reply));
            Assert.Equal("auth_failed", reply.GetProperty("code").GetString());
        }
    }

    [Fact]
    public void PersistDataProtectionKeysToRedis_WithoutAddRedis_SaysWhatToCallFirst()
    {
        var services = new ServiceCollection();
        var builder = services.AddKefuSync();
        var error = Assert.Throws<InvalidOperationException>(() => builder.PersistDataProtectionKeysToRedis());
        Assert.Contains("AddRedis", error.Message);
    }
}
