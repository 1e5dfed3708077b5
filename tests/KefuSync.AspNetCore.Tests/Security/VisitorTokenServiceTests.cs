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
        var tampered = Tamper(token);
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
    public void AVerifiedToken_IsNotDecryptedAgain_ForAWhile_ButItsExpiryStillCounts()
    {
        var counting = new CountingProvider(new EphemeralDataProtectionProvider());
        var service = Create(counting);
        var (token, _) = service.IssueForHost("u", "Ada", null);
        Assert.Equal(TokenCheck.Valid, service.Read(token, out var first));
        Assert.Equal(TokenCheck.Valid, service.Read(token, out var second));
        Assert.Equal(1, counting.Unprotects);
        Assert.Same(first, second);

        // past VerifiedFor the key ring is asked again (a revoked key takes effect within that time)
        _time.Advance(VisitorTokenService.VerifiedFor + TimeSpan.FromSeconds(1));
        Assert.Equal(TokenCheck.Valid, service.Read(token, out _));
        Assert.Equal(2, counting.Unprotects);

        // remembered or not, a token past its lifetime is expired
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(TokenCheck.Expired, service.Read(token, out var expired));
        Assert.Equal("h_u", expired!.Id);
    }

    [Fact]
    public void AForgedToken_IsNeverRemembered_AndTheMemoryIsBounded()
    {
        var counting = new CountingProvider(new EphemeralDataProtectionProvider());
        var service = Create(counting);
        var (token, _) = service.IssueAnonymous();
        var tampered = Tamper(token);
        Assert.Equal(TokenCheck.Forged, service.Read(tampered, out _));
        Assert.Equal(TokenCheck.Forged, service.Read(tampered, out _));
        Assert.Equal(2, counting.Unprotects);

        // more distinct tokens than the capacity: the memory starts over, and every token still reads right
        var tokens = Enumerable.Range(0, VisitorTokenService.VerifiedCapacity + 10).Select(_ => service.IssueAnonymous()).ToList();
        foreach (var (t, identity) in tokens)
        {
            Assert.Equal(TokenCheck.Valid, service.Read(t, out var read));
            Assert.Equal(identity.Id, read!.Id);
        }

        var before = counting.Unprotects;
        Assert.Equal(TokenCheck.Valid, service.Read(tokens[^1].Token, out _)); // just verified: remembered
        Assert.Equal(before, counting.Unprotects);
        Assert.Equal(TokenCheck.Valid, service.Read(tokens[0].Token, out _)); // from before the start-over: decrypted
        Assert.Equal(before + 1, counting.Unprotects);
    }

    /// <summary>One character of the token changed (still valid base64url).</summary>
    private static string Tamper(string token) => token[..^3] + (token[^3] == 'A' ? "B" : "A") + token[^2..];

    /// <summary>The real provider, counting the decryptions it is asked for.</summary>
    private sealed class CountingProvider(IDataProtectionProvider inner) : IDataProtectionProvider
    {
        private int _unprotects;

        public int Unprotects => Volatile.Read(ref _unprotects);

        public IDataProtector CreateProtector(string purpose) => new Protector(this, inner.CreateProtector(purpose));

        private sealed class Protector(CountingProvider owner, IDataProtector inner) : IDataProtector
        {
            public IDataProtector CreateProtector(string purpose) => new Protector(owner, inner.CreateProtector(purpose));

            public byte[] Protect(byte[] plaintext) => inner.Protect(plaintext);

            public byte[] Unprotect(byte[] protectedData)
            {
                Interlocked.Increment(ref owner._unprotects);
                return inner.Unprotect(protectedData);
            }
        }
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
