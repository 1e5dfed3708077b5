using KefuSync.Testing;
using KefuSync.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The EF Core store on a real PostgreSQL 15 server against the specification.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresOpStoreTests(PostgresServerFixture server) : OpStoreSpecification
{
    private ServiceProvider? _services;

    protected override async Task<IOpStore> CreateStoreAsync()
    {
        _services = await TestHosts.EntityFrameworkAsync(options => options.UseNpgsql(server.ConnectionString("kefu_spec")));
        return _services.GetRequiredService<IOpStore>();
    }

    protected override async Task DisposeStoreAsync(IOpStore store)
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
