using KefuSync.Security;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace KefuSync.AspNetCore.Tests.Security;

public sealed class VisitorTokenServiceTests
{
    private readonly ManualTimeProvider _time = new();

    private VisitorTokenService Create(IDataProtectionProvider? provider = null)
    {
        var options = new KefuSyncOptions();
        options.Identity.TokenLifetime = TimeSpan.FromDays(1);
        return new VisitorTokenService(provider ?? new EphemeralDataProtectionProvider(), new StaticMonitor(options), _time);
    }

    [Fact]
    public void HostIdentity_RoundTrips_WithItsFields()
    {
        var service = Create();
        var (token, identity) = service.IssueForHost("user-42", "Ada", new Dictionary<string, string> { ["plan"] = "pro" });
        Assert.Equal("h_user-42", identity.Id);
        Assert.Equal(TokenCheck.Valid, service.Read(token, out var read));
        Assert.Equal("Ada", read!.Name);
        Assert.Equal("pro", read.Fields["plan"]);
    }

    [Fact]
    public void TamperedToken_IsForged()
    {
        var service = Create();
        var (token, _) = service.IssueAnonymous();
        var tampered = token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];
        Assert.Equal(TokenCheck.Forged, service.Read(tampered, out _));
        Assert.Equal(TokenCheck.Forged, service.Read("", out _));
        Assert.Equal(TokenCheck.Forged, service.Read(new string('x', 5000), out _));
    }

    [Fact]
    public void TokenFromAnotherKeyRing_IsForged()
    {
        var (token, _) = Create().IssueAnonymous();
        Assert.Equal(TokenCheck.Forged, Create(new EphemeralDataProtectionProvider()).Read(token, out _));
    }

    [Fact]
    public void OldToken_IsExpired()
    {
        var service = Create();
        var (token, _) = service.IssueForHost("u", null, null);
        _time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(TokenCheck.Expired, service.Read(token, out var identity));
        Assert.Equal("h_u", identity!.Id);
    }

    [Fact]
    public void HostIds_AndAnonymousIds_NeverCollide()
    {
        var service = Create();
        var (_, anonymous) = service.IssueAnonymous();
        var (_, host) = service.IssueForHost(anonymous.Id, null, null);
        Assert.NotEqual(anonymous.Id, host.Id);
        Assert.StartsWith("a_", anonymous.Id);
        Assert.StartsWith("h_", host.Id);
    }

    private sealed class StaticMonitor(KefuSyncOptions value) : IOptionsMonitor<KefuSyncOptions>
    {
        public KefuSyncOptions CurrentValue => value;

        public KefuSyncOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<KefuSyncOptions, string?> listener) => null;
    }
}
