using System.Text.Json.Serialization;

namespace KefuSync.Sync;

[JsonSerializable(typeof(string))]
internal sealed partial class SyncJsonContext : JsonSerializerContext;
