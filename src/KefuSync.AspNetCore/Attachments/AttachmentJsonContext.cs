using System.Text.Json.Serialization;

namespace KefuSync.Attachments;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AttachmentMetadata))]
[JsonSerializable(typeof(LinksRequest))]
internal sealed partial class AttachmentJsonContext : JsonSerializerContext;
