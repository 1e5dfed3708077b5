using System.Text;
using KefuSync.Protocol;

namespace KefuSync.AspNetCore.Tests.Protocol;

/// <summary>The parser's reuse of a connection's last client id and channel: same text, same string; other text, its own.</summary>
public sealed class FrameStringsTests
{
    private static ClientFrame Parse(string json, FrameStrings strings)
    {
        Assert.True(FrameParser.TryParse(Encoding.UTF8.GetBytes(json), out var frame, out var error, strings), error);
        return frame;
    }

    [Fact]
    public void TheSameClientAndChannel_AreTheStringsReadLastTime()
    {
        var strings = new FrameStrings();
        var first = Parse("{\"t\":\"submit\",\"c\":\"tab1\",\"ch\":\"conv:k\",\"id\":\"1\",\"rev\":0,\"op\":{}}", strings);
        var second = Parse("{\"t\":\"submit\",\"c\":\"tab1\",\"ch\":\"conv:k\",\"id\":\"2\",\"rev\":0,\"op\":{}}", strings);

        Assert.Same(first.Client, second.Client);
        Assert.Same(first.Channel, second.Channel);
        Assert.Same(first.TypeName, second.TypeName);
        Assert.NotSame(first.Id, second.Id);
    }

    [Fact]
    public void OtherText_IsReadAfresh_AndAnEscapedEqualTextIsReused()
    {
        var strings = new FrameStrings();
        var tab1 = Parse("{\"t\":\"ping\",\"c\":\"tab1\"}", strings);
        var tab2 = Parse("{\"t\":\"ping\",\"c\":\"tab2\"}", strings);
        var escaped = Parse("{\"t\":\"ping\",\"c\":\"tab\\u0032\"}", strings);
        var longer = Parse("{\"t\":\"ping\",\"c\":\"tab22\"}", strings);

        Assert.Equal("tab1", tab1.Client);
        Assert.Equal("tab2", tab2.Client);
        Assert.Same(tab2.Client, escaped.Client); // the same text, written with an escape
        Assert.Equal("tab22", longer.Client);
    }

    [Fact]
    public void AWrongType_IsStillABadFrame()
    {
        var strings = new FrameStrings();
        Parse("{\"t\":\"ping\",\"c\":\"tab1\"}", strings);
        Assert.False(FrameParser.TryParse("{\"t\":\"ping\",\"c\":7}"u8.ToArray(), out _, out var error, strings));
        Assert.Contains("'c' must be a string", error, StringComparison.Ordinal);
        Assert.False(FrameParser.TryParse("{\"t\":5}"u8.ToArray(), out _, out error, strings));
        Assert.Contains("'t' must be a string", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryChannel_ReusesTheParsedName_ForTheSameString_AndParsesAnyOther()
    {
        var strings = new FrameStrings();
        var value = "conv:abc";
        Assert.True(strings.TryChannel(value, out var first));
        Assert.True(strings.TryChannel(value, out var again));
        Assert.Same(first.Key, again.Key);

        Assert.True(strings.TryChannel("note:x", out var note));
        Assert.Equal(ChannelKind.Note, note.Kind);
        Assert.Equal("x", note.Key);
        Assert.False(strings.TryChannel("nope:x", out _));
        Assert.True(strings.TryChannel(new string("conv:abc".AsSpan()), out var copy)); // equal text, another string: parsed
        Assert.Equal(first, copy);
    }

    [Fact]
    public void UnknownTypeNames_AreKeptAsWritten()
    {
        var frame = Parse("{\"t\":\"subscribe\"}", new FrameStrings());
        Assert.Equal(FrameType.Unknown, frame.Type);
        Assert.Equal("subscribe", frame.TypeName);
    }
}
