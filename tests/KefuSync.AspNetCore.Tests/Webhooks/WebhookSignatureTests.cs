using System.Net;
using System.Text;
using KefuSync.Stores;
using KefuSync.Webhooks;

namespace KefuSync.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    // The Standard Webhooks specification's published example (also in its reference libraries' tests).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");

    [Fact]
    public void Sign_ReproducesThePublishedExampleVector()
    {
        var key = WebhookSignature.TryDecodeSecret(Secret)!;
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignature.Sign(key, Id, Timestamp, Body));
    }

    [Fact]
    public void Verify_AcceptsTheVector_AmongOtherSignatures_AndRefusesAnyChange()
    {
        var key = WebhookSignature.TryDecodeSecret(Secret)!;
        var at = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
        var header = "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        var tolerance = TimeSpan.FromMinutes(5);
        Assert.True(WebhookSignature.Verify(key, Id, "1614265330", header, Body, at, tolerance));
        Assert.False(WebhookSignature.Verify(key, Id, "1614265330", header, Encoding.UTF8.GetBytes("{\"test\": 2432232315}"), at, tolerance)); // body
        Assert.False(WebhookSignature.Verify(key, "msg_other", "1614265330", header, Body, at, tolerance)); // id
        Assert.False(WebhookSignature.Verify(key, Id, "1614265331", header, Body, at, tolerance)); // timestamp
        Assert.False(WebhookSignature.Verify(key, Id, "1614265330", header, Body, at.AddMinutes(6), tolerance)); // too old: a replay
        Assert.False(WebhookSignature.Verify(WebhookSignature.TryDecodeSecret("whsec_" + Convert.ToBase64String(new byte[32]))!, Id, "1614265330", header, Body, at, tolerance)); // key
        Assert.False(WebhookSignature.Verify(key, Id, "01614265330", header, Body, at, tolerance)); // signed as sent, never reformatted
        Assert.False(WebhookSignature.Verify(key, Id, "-1", header, Body, at, tolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")] // no prefix
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")] // 5 bytes: too short to be a key
    public void TryDecodeSecret_RefusesWhatIsNotAWhsecSecret(string? secret) => Assert.Null(WebhookSignature.TryDecodeSecret(secret));

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.8.9.10", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)] // cloud metadata
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)] // IPv4-mapped loopback
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("64:ff9b::a00:1", false)] // NAT64 of 10.0.0.1
    [InlineData("8.8.8.8", true)]
    [InlineData("172.32.0.1", true)]
    [InlineData("100.128.0.1", true)]
    [InlineData("93.184.216.34", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    public void IsPublic_RefusesEveryNonPublicRange(string address, bool expected)
        => Assert.Equal(expected, WebhookNetworkPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void Derive_SkipsReadMarkers_UnknownKinds_AndPayloadsItCannotRead()
    {
        static OpRecord Op(long rev, string json) => new(rev, "c" + rev, "v_1", DateTimeOffset.UnixEpoch, Encoding.UTF8.GetBytes(json));
        Assert.Empty(WebhookEvents.Derive("K", Op(2, "{\"k\":\"read\",\"upTo\":1,\"name\":\"a\",\"role\":\"agent\"}"), _ => true));
        Assert.Empty(WebhookEvents.Derive("K", Op(2, "{\"k\":\"poll\",\"options\":5}"), _ => true));
        Assert.Empty(WebhookEvents.Derive("K", Op(2, "not json"), _ => true));
        Assert.Empty(WebhookEvents.Derive("K", Op(2, "[1,2]"), _ => true));
        var created = Assert.Single(WebhookEvents.Derive("K", Op(1, "{\"k\":\"read\",\"upTo\":1}"), _ => true));
        Assert.Equal(("kefu_K_0", "conversation.created"), (created.Id, created.Type));
    }
}
