using KefuSync.Protocol;
using KefuSync.Security;

namespace KefuSync.AspNetCore.Tests.Security;

public sealed class ChannelAccessTests
{
    private static readonly KefuPrincipal Visitor = new("a_1", "V", PrincipalRole.Visitor, "KEY", null);
    private static readonly KefuPrincipal Agent = new("agent:alice", "Alice", PrincipalRole.Agent, null, null);

    private static ChannelName Name(string value)
    {
        Assert.True(ChannelName.TryParse(value, out var name));
        return name;
    }

    [Theory]
    [InlineData("conv:KEY", true, true)]
    [InlineData("vdraft:KEY", true, true)]
    [InlineData("conv:OTHER", false, false)]
    [InlineData("vdraft:OTHER", false, false)]
    [InlineData("draft:KEY", false, false)]
    [InlineData("note:KEY", false, false)]
    [InlineData("canned:x", false, false)]
    [InlineData("inbox", false, false)]
    [InlineData("site", true, false)]
    public void Visitor_ReachesOnlyTheirOwnConversation(string channel, bool read, bool write)
    {
        Assert.Equal(read, ChannelAccess.CanRead(Visitor, Name(channel)));
        Assert.Equal(write, ChannelAccess.CanSubmit(Visitor, Name(channel)));
    }

    [Theory]
    [InlineData("conv:ANY", true)]
    [InlineData("draft:ANY", true)]
    [InlineData("note:ANY", true)]
    [InlineData("canned:x", true)]
    [InlineData("vdraft:ANY", false)]
    [InlineData("inbox", false)]
    public void Agent_ReadsEverything_ButWritesNeitherTheVisitorsDraftNorTheInbox(string channel, bool write)
    {
        Assert.True(ChannelAccess.CanRead(Agent, Name(channel)));
        Assert.Equal(write, ChannelAccess.CanSubmit(Agent, Name(channel)));
    }
}
