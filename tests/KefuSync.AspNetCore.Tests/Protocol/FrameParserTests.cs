using System.Text;
using KefuSync.Protocol;

namespace KefuSync.AspNetCore.Tests.Protocol;

public sealed class FrameParserTests
{
    private static ClientFrame Parse(string json)
    {
        Assert.True(FrameParser.TryParse(Encoding.UTF8.GetBytes(json), out var frame, out var error), error);
        return frame;
    }

    [Fact]
    public void Submit_KeepsTheOpAsARawSliceOfTheBuffer()
    {
        var frame = Parse("{\"t\":\"submit\",\"c\":\"tab1\",\"ch\":\"note:x\",\"id\":\"tab1-7\",\"rev\":12,\"op\":[5,\"abc\",-2],\"extra\":{\"ignored\":[1,2]}}");
        Assert.Equal(FrameType.Submit, frame.Type);
        Assert.Equal("tab1", frame.Client);
        Assert.Equal("note:x", frame.Channel);
        Assert.Equal("tab1-7", frame.Id);
        Assert.Equal(12, frame.Revision);
        Assert.Equal("[5,\"abc\",-2]", Encoding.UTF8.GetString(frame.Op.Span));
    }

    [Fact]
    public void Presence_NullStateMeansRemove()
    {
        var frame = Parse("{\"t\":\"presence\",\"c\":\"a\",\"ch\":\"site\",\"s\":null}");
        Assert.True(frame.StateIsNull);
    }

    [Fact]
    public void UnknownType_ParsesAsUnknown_SoTheEngineCanNameIt()
    {
        var frame = Parse("{\"t\":\"teleport\"}");
        Assert.Equal(FrameType.Unknown, frame.Type);
        Assert.Equal("teleport", frame.TypeName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("\"hello\"")]
    [InlineData("{}")]
    [InlineData("{\"t\":1}")]
    [InlineData("{\"t\":\"sub\",\"rev\":1.5}")]
    [InlineData("{\"t\":\"sub\",\"rev\":\"1\"}")]
    [InlineData("{\"t\":\"hello\",\"agent\":\"yes\"}")]
    [InlineData("{\"t\":\"presence\",\"s\":\"typing\"}")]
    [InlineData("{\"t\":\"sub\"")]
    [InlineData("{\"t\":\"sub\"}}")]
    [InlineData("{\"t\":\"sub\",\"c\":\"\\ud800\"}")]
    public void Malformed_IsRefusedWithAMessage_NeverAnException(string json)
    {
        Assert.False(FrameParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void DeeplyNestedInput_IsRefused()
    {
        var json = "{\"t\":\"ping\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.False(FrameParser.TryParse(Encoding.UTF8.GetBytes(json), out _, out _));
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(7);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            FrameParser.TryParse(bytes, out _, out _);
        }

        Assert.True(FrameParser.TryParse("{\"t\":\"ping\"}"u8.ToArray(), out var frame, out _));
        Assert.Equal(FrameType.Ping, frame.Type);
    }
}
