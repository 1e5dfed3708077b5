using System.Diagnostics;
using System.Text;
using KefuSync.Stores.Tests.Providers;
using KefuSync.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.EntityFrameworkCore;

/// <summary>The EF Core store when PostgreSQL goes down and comes back. Own cluster (class fixture).</summary>
public sealed class PostgresFaultTests(PostgresServerFixture server) : IClassFixture<PostgresServerFixture>
{
    private static OpDraft Draft(string id) => new(id, "agent:1", DateTimeOffset.UnixEpoch, Encoding.UTF8.GetBytes("{}"));

    [Fact]
    public async Task Store_FailsWithAnExceptionWhilePostgresIsDown_AndWorksAfterItIsBack()
    {
        await using var services = await TestHosts.EntityFrameworkAsync(
            options => options.UseNpgsql(server.ConnectionString("kefu_fault")),
            options => options.OperationTimeout = TimeSpan.FromSeconds(3));
        var store = services.GetRequiredService<IOpStore>();
        var channel = $"pg:{Guid.NewGuid():N}";
        Assert.Equal(AppendResult.Appended(1), await store.AppendAsync(channel, 0, Draft("before")));

        await server.StopAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<Exception>(() => store.AppendAsync(channel, 1, Draft("during")));
            await Assert.ThrowsAnyAsync<Exception>(() => store.ReadAsync(channel, 0, 10));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(7), $"calls took {watch.Elapsed} while PostgreSQL was down");
        }
        finally
        {
            await server.StartAsync();
        }

        // Pooled connections died with the server; Npgsql notices and opens new ones.
        var watchAfter = Stopwatch.StartNew();
        AppendResult result;
        while (true)
        {
            try
            {
                result = await store.AppendAsync(channel, 1, Draft("during"));
                break;
            }
            catch (Exception) when (watchAfter.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }
        }

        // Data survived (PostgreSQL is durable); the op that failed during the outage lands exactly once on resend.
        Assert.Equal(AppendResult.Appended(2), result);
        Assert.Equal(["before", "during"], (await store.ReadAsync(channel, 0, 10)).Select(o => o.ClientOpId));
    }
}
