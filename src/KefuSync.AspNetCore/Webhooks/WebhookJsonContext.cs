using System.Text.Json.Serialization;

namespace KefuSync.Webhooks;

/// <summary>Source-generated serialization of webhook payloads: camelCase, absent members omitted.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
