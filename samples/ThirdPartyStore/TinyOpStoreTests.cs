using KefuSync.Stores;
using KefuSync.Testing;

namespace ThirdPartyStore;

/// <summary>
/// The whole proof that <see cref="TinyOpStore"/> keeps the store contract: inherit the specification and hand it a store.
/// Every test of <see cref="OpStoreSpecification"/> runs against it, unchanged.
/// </summary>
public sealed class TinyOpStoreTests : OpStoreSpecification
{
    /// <summary>No <see cref="ISnapshotStore"/>: the snapshot tests then check that the store really has none.</summary>
    protected override bool SupportsSnapshots => false;

    /// <summary>One fresh store per test (the specification also copes with a shared one: it uses fresh channel names).</summary>
    protected override Task<IOpStore> CreateStoreAsync() => Task.FromResult<IOpStore>(new TinyOpStore());
}
