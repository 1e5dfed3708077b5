using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Presence;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace KefuSync.AspNetCore.Tests.Security;

/// <summary>
/// The fact that the server generated a visitor's name travels with the identity (signed in the token), into the inbox
/// summary (<c>visitorGen</c>) and the presence entry (<c>gen</c>), so consoles localise it (docs/protocol.md §4.3),
/// and a name a host chose is never marked, however it looks.
/// </summary>
public sealed class GeneratedVisitorNameTests
{
    private readonly ManualTimeProvider _time = new();

    private VisitorTokenService Create() => new(new EphemeralDataProtectionProvider(), new Monitor(new KefuSyncOptions()), _time);

    [Fact]
    public void AnonymousAndUnnamedHostVisitors_AreGenerated_ThroughTheToken_AndHostNamesAreNot()
    {
        var service = Create();
        var (anonToken, anon) = service.IssueAnonymous();
        Assert.Equal(TokenCheck.Valid, service.Read(anonToken, out var read));
        var tag = read!.GeneratedTag();
        Assert.Matches("^[0-9a-f]{4}$", tag);
        Assert.Equal("Visitor " + tag, anon.Name);
        Assert.Equal(tag, service.Read(service.Refresh(read), out var refreshed) == TokenCheck.Valid ? refreshed!.GeneratedTag() : null);

        var (unnamedToken, _) = service.IssueForHost("u1", "  ", null);
        service.Read(unnamedToken, out var unnamed);
        Assert.NotNull(unnamed!.GeneratedTag());

        // A host that names someone "Visitor Bob", or even exactly what the server would have generated, keeps the name.
        foreach (var name in new[] { "Visitor Bob", VisitorNames.Default("h_u2") })
        {
            var (token, _) = service.IssueForHost("u2", name, null);
            service.Read(token, out var named);
            Assert.Equal(name, named!.Name);
            Assert.Null(named.GeneratedTag());
        }
    }

    [Fact]
    public void AnAnonymousTokenFromBeforeTheFlag_IsGenerated_AndAHostOneKeepsItsName()
    {
        var provider = new EphemeralDataProtectionProvider();
        var service = new VisitorTokenService(provider, new Monitor(new KefuSyncOptions()), _time);
        var protector = provider.CreateProtector("KefuSync.VisitorToken.v1");
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        string Legacy(string json) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(protector.Protect(System.Text.Encoding.UTF8.GetBytes(json)));

        Assert.Equal(TokenCheck.Valid, service.Read(Legacy($$"""{"id":"a_old","name":"Visitor 1234","fields":{},"issuedAt":{{now}}}"""), out var anon));
        Assert.Equal(VisitorNames.Tag("a_old"), anon!.GeneratedTag());
        Assert.Equal(TokenCheck.Valid, service.Read(Legacy($$"""{"id":"h_u","name":"Visitor 1234","fields":{},"issuedAt":{{now}}}"""), out var host));
        Assert.Null(host!.GeneratedTag());
    }

    [Fact]
    public void TheSummary_CarriesVisitorGen_OnlyForAGeneratedName()
    {
        var anon = new VisitorIdentity("a_1", VisitorNames.Default("a_1"), new(), 0, Generated: true);
        var s = ConversationFold.Apply(new ConversationSummary { Key = "K" }, new KefuPrincipal("a_1", anon.Name, PrincipalRole.Visitor, "K", anon), 1, 10, new MessageOp("msg", "hi", 0));
        Assert.Equal(VisitorNames.Tag("a_1"), s.VisitorGen);
        var json = JsonSerializer.Serialize(s, InboxJsonContext.Default.ConversationSummary);
        Assert.Contains($"\"visitorGen\":\"{VisitorNames.Tag("a_1")}\"", json, StringComparison.Ordinal);

        var bob = new VisitorIdentity("h_bob", "Visitor Bob", new(), 0);
        var t = ConversationFold.Apply(new ConversationSummary { Key = "K" }, new KefuPrincipal("h_bob", bob.Name, PrincipalRole.Visitor, "K", bob), 1, 10, new MessageOp("msg", "hi", 0));
        Assert.Null(t.VisitorGen);
        Assert.DoesNotContain("visitorGen", JsonSerializer.Serialize(t, InboxJsonContext.Default.ConversationSummary), StringComparison.Ordinal);
    }

    [Fact]
    public void ThePresenceEntry_CarriesGen_OnTheWire_AndAcrossNodes()
    {
        var state = "{}"u8.ToArray();
        PresenceView[] views =
        [
            new("a_1", "Visitor 4ce1", "visitor", "c1", state, "K1", "4ce1"),
            new("h_bob", "Visitor Bob", "visitor", "c2", state, "K2"),
        ];
        using var frame = JsonDocument.Parse(FrameWriter.Presence("site", views));
        var list = frame.RootElement.GetProperty("list");
        Assert.Equal("4ce1", list[0].GetProperty("gen").GetString());
        Assert.False(list[1].TryGetProperty("gen", out _));

        var decoded = PresenceCodec.Decode(PresenceCodec.Encode(views));
        Assert.Equal(new string?[] { "4ce1", null }, decoded.Select(v => v.Gen));
        Assert.Equal(new string?[] { "K1", "K2" }, decoded.Select(v => v.ConversationKey));
    }

    private sealed class Monitor(KefuSyncOptions value) : IOptionsMonitor<KefuSyncOptions>
    {
        public KefuSyncOptions CurrentValue => value;

        public KefuSyncOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<KefuSyncOptions, string?> listener) => null;
    }
}
