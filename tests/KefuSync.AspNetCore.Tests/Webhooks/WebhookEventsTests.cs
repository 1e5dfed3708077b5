using System.Text;
using System.Text.Json;
using KefuSync.Stores;
using KefuSync.Webhooks;

namespace KefuSync.AspNetCore.Tests.Webhooks;

public sealed class WebhookEventsTests
{
    private static OpRecord Op(long revision, string payload, string author = "bot:assistant")
        => new(revision, "~assistant:1:h", author, new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero), Encoding.UTF8.GetBytes(payload));

    [Fact]
    public void AHandover_IsConversationHandedOver_WithItsReason_AndWhoHandedOver()
    {
        var events = WebhookEvents.Derive("K", Op(3, "{\"k\":\"handover\",\"reason\":\"Refund request\",\"name\":\"Assistant\",\"role\":\"bot\"}"), _ => true);
        var e = Assert.Single(events);
        Assert.Equal(KefuWebhookEvents.ConversationHandedOver, e.Type);
        Assert.Equal("kefu_K_3", e.Id);
        var data = JsonDocument.Parse(e.Body).RootElement.GetProperty("data");
        Assert.Equal("Refund request", data.GetProperty("reason").GetString());
        Assert.Equal("bot", data.GetProperty("author").GetProperty("role").GetString());
        Assert.Contains(KefuWebhookEvents.ConversationHandedOver, KefuWebhookEvents.All);
    }

    [Fact]
    public void AHandover_WithoutAReason_HasNoReasonMember()
    {
        var e = Assert.Single(WebhookEvents.Derive("K", Op(2, "{\"k\":\"handover\",\"name\":\"Ada\",\"role\":\"visitor\"}", "a_1"), _ => true));
        Assert.False(JsonDocument.Parse(e.Body).RootElement.GetProperty("data").TryGetProperty("reason", out _));
    }
}
