using KefuSync.Protocol;

namespace KefuSync.AspNetCore.Tests.Protocol;

public sealed class ChannelNameTests
{
    [Theory]
    [InlineData("conv:abc_-XYZ09", "Conversation", true)]
    [InlineData("vdraft:abc", "VisitorDraft", true)]
    [InlineData("draft:abc", "Draft", true)]
    [InlineData("note:abc", "Note", true)]
    [InlineData("canned:returns.policy", "Canned", true)]
    [InlineData("inbox", "Inbox", false)]
    [InlineData("site", "Site", false)]
    public void ValidNames_ParseToTheirKind(string value, string kind, bool hasKey)
    {
        Assert.True(ChannelName.TryParse(value, out var name));
        Assert.Equal(Enum.Parse<ChannelKind>(kind), name.Kind);
        Assert.Equal(hasKey, name.Key.Length > 0);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("conv:")]
    [InlineData(":abc")]
    [InlineData("conv")]
    [InlineData("chat:abc")]
    [InlineData("conv:a/b")]
    [InlineData("conv:a b")]
    [InlineData("conv:<script>")]
    [InlineData("conv:ä")]
    public void InvalidNames_AreRefused(string? value) => Assert.False(ChannelName.TryParse(value, out _));

    [Fact]
    public void TooLongNames_AreRefused()
    {
        Assert.True(ChannelName.TryParse("conv:" + new string('a', 123), out _));
        Assert.False(ChannelName.TryParse("conv:" + new string('a', 124), out _));
    }
}
