using System.Text;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Security;

namespace KefuSync.AspNetCore.Tests.Conversations;

public sealed class MessageOpsTests
{
    [Theory]
    [InlineData("{\"k\":\"msg\",\"text\":\"hi\"}", "msg")]
    [InlineData("{\"k\":\"read\",\"upTo\":4}", "read")]
    [InlineData("{\"k\":\"edit\",\"target\":2,\"text\":\"x\"}", "edit")]
    [InlineData("{\"k\":\"recall\",\"target\":2}", "recall")]
    [InlineData("{\"k\":\"status\",\"status\":\"pending\"}", "status")]
    [InlineData("{\"k\":\"assign\",\"to\":null}", "assign")]
    [InlineData("{\"k\":\"assign\",\"to\":\"agent:bob\"}", "assign")]
    [InlineData("{\"k\":\"assign\",\"to\":\"bot:assistant\"}", "assign")]
    [InlineData("{\"k\":\"handover\"}", "handover")]
    [InlineData("{\"k\":\"handover\",\"reason\":\"Refund over the limit\"}", "handover")]
    public void ValidOps_Read(string json, string kind)
    {
        Assert.True(MessageOps.TryRead(Encoding.UTF8.GetBytes(json), 100, out var op, out var error), error);
        Assert.Equal(kind, op.Kind);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"k\":\"msg\"}")]
    [InlineData("{\"k\":\"msg\",\"text\":\"   \"}")]
    [InlineData("{\"k\":\"msg\",\"text\":5}")]
    [InlineData("{\"k\":\"read\"}")]
    [InlineData("{\"k\":\"read\",\"upTo\":0}")]
    [InlineData("{\"k\":\"edit\",\"text\":\"x\"}")]
    [InlineData("{\"k\":\"status\",\"status\":\"deleted\"}")]
    [InlineData("{\"k\":\"assign\"}")]
    [InlineData("{\"k\":\"assign\",\"to\":\"root\"}")]
    [InlineData("{\"k\":\"html\",\"text\":\"x\"}")]
    [InlineData("{\"k\":\"assign\",\"to\":\"visitor:me\"}")]
    [InlineData("{\"k\":\"msg\",\"text\":\"" + "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789x" + "\"}")]
    public void InvalidOps_AreRefusedWithAReason(string json)
    {
        Assert.False(MessageOps.TryRead(Encoding.UTF8.GetBytes(json), 100, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    /// <summary>An unpaired surrogate escape in any string member is a refusal with a reason, never an exception (which the committer once reported as a store failure).</summary>
    [Theory]
    [InlineData("{\"k\":\"msg\",\"text\":\"a\\ud83db\"}", "text")]
    [InlineData("{\"k\":\"msg\",\"text\":\"\\udc00\"}", "text")]
    [InlineData("{\"k\":\"edit\",\"target\":1,\"text\":\"fixed\\udfff\"}", "text")]
    [InlineData("{\"k\":\"\\ud800\",\"text\":\"x\"}", "k")]
    [InlineData("{\"k\":\"status\",\"status\":\"\\ud83d\"}", "status")]
    [InlineData("{\"k\":\"assign\",\"to\":\"agent:\\ud83d\"}", "to")]
    [InlineData("{\"k\":\"handover\",\"reason\":\"\\ud83d\"}", "reason")]
    public void UnpairedSurrogates_AreRefused_NamingTheMember(string json, string member)
    {
        Assert.False(MessageOps.TryRead(Encoding.UTF8.GetBytes(json), 100, out _, out var error));
        Assert.Contains($"'{member}'", error, StringComparison.Ordinal);
        Assert.Contains("surrogate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PairedSurrogates_AreText()
    {
        Assert.True(MessageOps.TryRead("{\"k\":\"msg\",\"text\":\"a\\ud83d\\ude00b 😀\"}"u8, 100, out var op, out var error), error);
        Assert.Equal("a😀b 😀", op.Text);
    }

    [Fact]
    public void AnObjectWhereAStringBelongs_IsSkippedWhole_SoItsMembersAreNotReadAsTheOps()
    {
        // Before, an object value left the reader inside it, and its members were read as the op's own: this was a msg "inner".
        Assert.False(MessageOps.TryRead("{\"text\":{\"k\":\"msg\",\"text\":\"inner\"}}"u8, 100, out _, out var error));
        Assert.Contains("kind", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Payload_IsBuiltFromValidatedMembers_WithTheServersAuthorRole()
    {
        Assert.True(MessageOps.TryRead("{\"k\":\"msg\",\"text\":\"<b>hi</b>\",\"role\":\"agent\",\"onclick\":\"x\"}"u8, 100, out var op, out _));
        var payload = JsonDocument.Parse(MessageOps.BuildPayload(op, new KefuPrincipal("a_1", "Visitor 1", PrincipalRole.Visitor, "K", null))).RootElement;
        Assert.Equal("<b>hi</b>", payload.GetProperty("text").GetString());
        Assert.Equal("visitor", payload.GetProperty("role").GetString());
        Assert.False(payload.TryGetProperty("onclick", out _));
    }

    [Fact]
    public void AHandover_IsStoredWithItsReason_AndTheServersAuthor_NeverAForgedFrom()
    {
        var reason = new string('r', MessageOps.MaxHandoverReasonChars);
        Assert.True(MessageOps.TryRead(Encoding.UTF8.GetBytes($"{{\"k\":\"handover\",\"reason\":\"{reason}\",\"from\":\"bot:assistant\",\"role\":\"bot\"}}"), 100, out var op, out var error), error);
        var payload = JsonDocument.Parse(MessageOps.BuildPayload(op, new KefuPrincipal("a_1", "Visitor 1", PrincipalRole.Visitor, "K", null))).RootElement;
        Assert.Equal("handover", payload.GetProperty("k").GetString());
        Assert.Equal(reason, payload.GetProperty("reason").GetString());
        Assert.Equal("visitor", payload.GetProperty("role").GetString());
        Assert.False(payload.TryGetProperty("from", out _));
        Assert.False(payload.TryGetProperty("text", out _));
        Assert.False(MessageOps.TryRead(Encoding.UTF8.GetBytes($"{{\"k\":\"handover\",\"reason\":\"{reason}x\"}}"), 100, out _, out error));
        Assert.Contains("'reason'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyVisitorsAndBots_HandOver_AgentsTakeOverByAssigning()
    {
        var handover = new MessageOp("handover", null, 0);
        Assert.Null(ConversationRules.CheckAuthorMayWrite(new KefuPrincipal("a_1", "V", PrincipalRole.Visitor, "K", null), handover));
        Assert.Null(ConversationRules.CheckAuthorMayWrite(new KefuPrincipal("bot:assistant", "A", PrincipalRole.Bot, null, null), handover));
        Assert.NotNull(ConversationRules.CheckAuthorMayWrite(new KefuPrincipal("agent:alice", "Alice", PrincipalRole.Agent, null, null), handover));
        Assert.NotNull(ConversationRules.CheckAuthorMayWrite(new KefuPrincipal("a_1", "V", PrincipalRole.Visitor, "K", null), new MessageOp("assign", null, 0, "bot:assistant")));
    }
}
