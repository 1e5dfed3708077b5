using KefuSync.Stores.Tests.Specification;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The embedded default store against the specification.</summary>
public sealed class InMemoryOpStoreTests : OpStoreSpecification
{
    protected override Task<IOpStore> CreateStoreAsync() => Task.FromResult<IOpStore>(new InMemoryOpStore());
}
