using System.Text;
using System.Text.Json;
using KefuSync.Availability;

namespace KefuSync.Tests.Availability;

public sealed class HoursJsonTests
{
    [Fact]
    public void Op_RoundTrips_ThroughTheValidatedSchedule()
    {
        var json = """{"k":"hours","on":true,"tz":"Europe/Berlin","weekly":{"mon":"09:00-12:00,13:00-17:00","sat":"10:00-14:00"},"exceptions":[{"date":"2026-12-25","hours":"","name":"Christmas"}],"outside":"hide","extra":1}"""u8;
        var schedule = HoursJson.TryRead(json, out var error);
        Assert.True(schedule is not null, error);
        var stored = HoursJson.BuildOp(schedule!, "Alice");
        using var doc = JsonDocument.Parse(stored);
        var root = doc.RootElement;
        Assert.Equal("hours", root.GetProperty("k").GetString());
        Assert.Equal("09:00-12:00,13:00-17:00", root.GetProperty("weekly").GetProperty("mon").GetString());
        Assert.Equal("", root.GetProperty("weekly").GetProperty("sun").GetString());
        Assert.Equal("Christmas", root.GetProperty("exceptions")[0].GetProperty("name").GetString());
        Assert.Equal("hide", root.GetProperty("outside").GetString());
        Assert.False(root.TryGetProperty("extra", out _)); // rebuilt, never the client's bytes
        var again = HoursJson.TryRead(stored, out error);
        Assert.NotNull(again);
        Assert.Equal(KefuOutsideHours.HideLauncher, again!.OutsideHours);
        Assert.Single(again.Exceptions);
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"k":"hours","tz":"UTC","outside":"form"}""")]
    [InlineData("""{"k":"hours","on":true,"tz":"Nowhere/City","outside":"form"}""")]
    [InlineData("""{"k":"hours","on":true,"tz":"UTC","outside":"maybe"}""")]
    [InlineData("""{"k":"hours","on":true,"tz":"UTC","outside":"form","weekly":{"mon":"18:00-09:00"}}""")]
    [InlineData("""{"k":"hours","on":true,"tz":"UTC","outside":"form","weekly":{"funday":"09:00-10:00"}}""")]
    [InlineData("""{"k":"hours","on":true,"tz":"UTC","outside":"form","exceptions":[{"date":"25/12/2026"}]}""")]
    [InlineData("""{"k":"hours","on":"yes","tz":"UTC","outside":"form"}""")]
    public void InvalidOps_AreRefused_WithAReason(string json)
    {
        Assert.Null(HoursJson.TryRead(Encoding.UTF8.GetBytes(json), out var error));
        Assert.NotEmpty(error);
    }
}
