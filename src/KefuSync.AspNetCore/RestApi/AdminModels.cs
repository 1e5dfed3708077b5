using System.Text.Json;
using System.Text.Json.Serialization;

namespace KefuSync.RestApi;

/// <summary>
/// An API key as the Integrations panel lists it: never its secret, only the first characters (<c>Hint</c>) of one
/// created here. <c>Source</c> is <c>options</c> (KefuSync:Api:Keys, read-only here) or <c>console</c>; the creation and
/// revocation members are set for console keys only.
/// </summary>
internal sealed record AdminKey(
    string Name,
    string Role,
    string? DisplayName,
    IReadOnlyList<string> Scopes,
    string Source,
    string? Hint,
    string? CreatedBy,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy);

/// <summary>Every key, and the scopes a new one may have.</summary>
internal sealed record AdminKeyList(IReadOnlyList<AdminKey> Keys, IReadOnlyList<string> Scopes);

/// <summary>The body of a create.</summary>
internal sealed record AdminNewKey(string? Name, string? Role, string? DisplayName, IReadOnlyList<string>? Scopes);

/// <summary>A key just created, with its secret: the one time anybody sees it.</summary>
internal sealed record AdminCreatedKey(AdminKey Key, string Secret);

/// <summary>Every webhook endpoint's delivery state.</summary>
internal sealed record AdminWebhookList(IReadOnlyList<KefuWebhookStatus> Endpoints);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminKeyList))]
[JsonSerializable(typeof(AdminNewKey))]
[JsonSerializable(typeof(AdminCreatedKey))]
[JsonSerializable(typeof(AdminWebhookList))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
