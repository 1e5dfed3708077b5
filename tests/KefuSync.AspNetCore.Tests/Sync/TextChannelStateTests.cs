using KefuSync.Ot;
using KefuSync.Sync;

namespace KefuSync.AspNetCore.Tests.Sync;

/// <summary>The server's per-document cache: recent ops for transforms and the client op ids that answer resends.</summary>
public sealed class TextChannelStateTests
{
    [Fact]
    public void FindRecent_AnswersResendsOfTheLast512Ops_AndForgetsOlderOnes()
    {
        var state = new TextChannelState(new TextDocument(""), 0);
        for (var i = 1; i <= 600; i++)
        {
            state.ApplyValidated(i, TextOperation.Parse(i == 1 ? "[\"x\"]" : "[" + (i - 1) + ",\"x\"]"), "op-" + i);
        }

        Assert.Equal(600, state.Revision);
        Assert.Equal(600, state.Document.Length);
        Assert.Equal(600, state.FindRecent("op-600"));
        Assert.Equal(89, state.FindRecent("op-89")); // 600 - 512 + 1 = 89 is the oldest one kept
        Assert.Null(state.FindRecent("op-88")); // evicted: the store's dedupe answers it
        Assert.Null(state.FindRecent("op-1"));
        Assert.Null(state.FindRecent("never-sent"));
    }

    [Fact]
    public void TryGetSince_ReturnsTheOpsAfterTheBase_InOrder()
    {
        var state = new TextChannelState(new TextDocument(""), 0);
        state.Apply(1, TextOperation.Parse("[\"a\"]"), "a");
        state.Apply(2, TextOperation.Parse("[1,\"b\"]"), "b");
        state.Apply(3, TextOperation.Parse("[2,\"c\"]"), "c");
        var since = new List<TextOperation>();
        Assert.True(state.TryGetSince(1, since));
        Assert.Equal(["[1,\"b\"]", "[2,\"c\"]"], since.Select(o => o.ToJson()));
        Assert.Equal("abc", state.Document.ToString());
    }
}
