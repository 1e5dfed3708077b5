using System.Text.Json.Serialization;

namespace KefuSync.Transport;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RelayEnvelope))]
internal sealed partial class RelayJsonContext : JsonSerializerContext;
