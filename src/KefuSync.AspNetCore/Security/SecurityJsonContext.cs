using System.Text.Json.Serialization;

namespace KefuSync.Security;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VisitorIdentity))]
internal sealed partial class SecurityJsonContext : JsonSerializerContext;
