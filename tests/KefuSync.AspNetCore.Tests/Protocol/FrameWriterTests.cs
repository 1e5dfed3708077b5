using System.Text;
using System.Text.Json;
using KefuSync.Protocol;

namespace KefuSync.AspNetCore.Tests.Protocol;

public sealed class FrameWriterTests
{
    [Fact]
    public void Op_EmbedsThePayloadVerbatim_AndKeepsCjkAsUtf8()
    {
        var frame = FrameWriter.Op("conv:k", 3, "t-1", "a_x", 1700000000000, "{\"k\":\"msg\",\"text\":\"你好\"}"u8);
        var text = Encoding.UTF8.GetString(frame);
        Assert.Contains("你好", text);
        var doc = JsonDocument.Parse(frame).RootElement;
        Assert.Equal("op", doc.GetProperty("t").GetString());
        Assert.Equal(3, doc.GetProperty("rev").GetInt64());
        Assert.Equal("你好", doc.GetProperty("op").GetProperty("text").GetString());
    }

    [Fact]
    public void Error_EscapesControlCharactersAndQuotes()
    {
        var frame = FrameWriter.Error("bad_frame", "line\nbreak \"quoted\" </script>", "c1");
        var doc = JsonDocument.Parse(frame).RootElement;
        Assert.Equal("line\nbreak \"quoted\" </script>", doc.GetProperty("msg").GetString());
        Assert.DoesNotContain((byte)'\n', frame); // one frame stays one SSE data line
    }

    [Fact]
    public void ConsecutiveFrames_DoNotShareBuffers()
    {
        var first = FrameWriter.Pong("a");
        var second = FrameWriter.Pong("b");
        Assert.Equal("{\"t\":\"pong\",\"q\":\"a\"}", Encoding.UTF8.GetString(first));
        Assert.Equal("{\"t\":\"pong\",\"q\":\"b\"}", Encoding.UTF8.GetString(second));
    }
}
