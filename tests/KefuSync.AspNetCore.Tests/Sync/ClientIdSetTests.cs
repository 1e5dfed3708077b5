using KefuSync.Sync;

namespace KefuSync.AspNetCore.Tests.Sync;

public sealed class ClientIdSetTests
{
    [Fact]
    public void BehavesAsASet_WhicheverSlotAnIdLandsIn()
    {
        var set = new ClientIdSet();
        Assert.Equal(0, set.Count);
        Assert.True(set.Add("tab-a"));
        Assert.False(set.Add("tab-a"));
        Assert.True(set.Add("tab-b"));
        Assert.True(set.Add("tab-c"));
        Assert.False(set.Add("tab-c"));
        Assert.Equal(3, set.Count);
        Assert.Equal(["tab-a", "tab-b", "tab-c"], set.ToArray().Order(StringComparer.Ordinal));

        // Removing the first id leaves the others; a new id can take the free slot and is not counted twice.
        Assert.True(set.Remove("tab-a"));
        Assert.False(set.Remove("tab-a"));
        Assert.False(set.Contains("tab-a"));
        Assert.True(set.Contains("tab-b"));
        Assert.False(set.Add("tab-b"));
        Assert.True(set.Add("tab-d"));
        Assert.Equal(3, set.Count);
        Assert.Equal(["tab-b", "tab-c", "tab-d"], set.ToArray().Order(StringComparer.Ordinal));

        Assert.True(set.Remove("tab-b"));
        Assert.True(set.Remove("tab-c"));
        Assert.True(set.Remove("tab-d"));
        Assert.Equal(0, set.Count);
        Assert.Empty(set.ToArray());
        Assert.False(set.Contains("TAB-B")); // ordinal, like the protocol's client ids
    }
}
