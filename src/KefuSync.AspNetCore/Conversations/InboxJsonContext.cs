using System.Text.Json.Serialization;

namespace KefuSync.Conversations;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ConversationSummary))]
[JsonSerializable(typeof(ConversationSummary[]))]
internal sealed partial class InboxJsonContext : JsonSerializerContext;
