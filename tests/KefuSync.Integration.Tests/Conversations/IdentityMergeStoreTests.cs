using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Security;
using KefuSync.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Conversations;

/// <summary>
/// The identity merge on the stores a deployment runs (docs/protocol.md §2.5): its claim, marker and copies go through
/// the store contract alone, so the Redis store (two nodes sharing a real redis-server) and the EF Core store (SQLite)
/// keep "once, into one identity" and "nothing twice" as the in-memory store does (IdentityMergeTests).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class IdentityMergeStoreTests(RedisServerFixture redis)
{
    private static async Task<JsonElement> HelloAsync(KefuTestHost host, string? token, string? anon)
    {
        await using var client = await host.ConnectAsync();
        await client.SendAsync(new Dictionary<string, object?> { ["t"] = "hello", ["v"] = 1, ["client"] = "test", ["token"] = token, ["anon"] = anon });
        return await client.WaitForAsync(f => KefuTestClient.Type(f) is "welcome" or "error");
    }

    private static async Task<(string Token, string Key)> AnonymousChatAsync(KefuTestHost host)
    {
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        var key = welcome.GetProperty("conv").GetString()!;
        for (var n = 1; n <= 2; n++)
        {
            await visitor.SendAsync(new { t = "submit", c = "tabA", ch = "conv:" + key, id = $"tabA-{n}", rev = 0, op = new { k = "msg", text = $"anonymous {n}" } });
            await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == $"tabA-{n}");
        }

        return (welcome.GetProperty("token").GetString()!, key);
    }

    private static async Task<string[]> TextsAsync(KefuTestHost host, string key)
        => [.. (await host.Store.ReadAsync("conv:" + key, 0, 1000))
            .Select(o => JsonDocument.Parse(o.Payload).RootElement)
            .Where(p => p.GetProperty("k").GetString() == "msg")
            .Select(p => p.GetProperty("text").GetString()!)];

    /// <summary>Merge on <paramref name="a"/>, repeat and try a second identity on <paramref name="b"/> (the same node, or another on the same store).</summary>
    private static async Task MergesOnceIntoOneIdentityAsync(KefuTestHost a, KefuTestHost b)
    {
        var (anon, anonKey) = await AnonymousChatAsync(a);
        var carol = "carol" + Guid.NewGuid().ToString("N")[..6];
        var (carolToken, _) = a.Services.GetRequiredService<VisitorTokenService>().IssueForHost(carol, "Carol", null);
        var (malloryToken, _) = b.Services.GetRequiredService<VisitorTokenService>().IssueForHost("mallory" + carol, "Mallory", null);

        Assert.Equal(anonKey, (await HelloAsync(a, carolToken, anon)).GetProperty("merged").GetString());
        Assert.Equal(anonKey, (await HelloAsync(b, carolToken, anon)).GetProperty("merged").GetString());
        Assert.False((await HelloAsync(b, malloryToken, anon)).TryGetProperty("merged", out _));
        var fresh = await HelloAsync(b, anon, null);
        Assert.NotEqual(anonKey, fresh.GetProperty("conv").GetString());

        Assert.Equal(["anonymous 1", "anonymous 2"], await TextsAsync(a, ConversationKeys.ForVisitor("h_" + carol)));
        Assert.Empty(await TextsAsync(a, ConversationKeys.ForVisitor("h_mallory" + carol)));
        Assert.Equal(2, await a.Store.GetRevisionAsync(ConversationMerge.ClaimChannel(anonKey)));
    }

    [Fact]
    public async Task OnRedis_TwoNodes_MergeOnceIntoOneIdentity_AndRepeatNothing()
    {
        var prefix = "mg" + Guid.NewGuid().ToString("N")[..8] + ":";
        // One Data Protection key ring for both nodes, as a deployment shares it (docs/deployment.md).
        var keys = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "kefu-merge-keys-" + Guid.NewGuid().ToString("N")[..8]));
        void Shared(IServiceCollection s) => s.AddDataProtection().PersistKeysToFileSystem(keys).SetApplicationName("kefu-merge-test");
        await using var a = await KefuTestHost.StartAsync(kefu: b => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; }), services: Shared);
        await using var b = await KefuTestHost.StartAsync(kefu: b => b.AddRedis(r => { r.Configuration = redis.Configuration; r.KeyPrefix = prefix; }), services: Shared);
        await MergesOnceIntoOneIdentityAsync(a, b);
    }

    [Fact]
    public async Task OnEntityFrameworkSqlite_MergesOnceIntoOneIdentity_AndRepeatsNothing()
    {
        var file = Path.Combine(Path.GetTempPath(), "kefu-merge-" + Guid.NewGuid().ToString("N")[..12] + ".db");
        try
        {
            await using var host = await KefuTestHost.StartAsync(kefu: b => b.AddEntityFrameworkStore(o => o.UseSqlite("Data Source=" + file), o => o.CreateSchemaOnStartup = true));
            await MergesOnceIntoOneIdentityAsync(host, host);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }
}
