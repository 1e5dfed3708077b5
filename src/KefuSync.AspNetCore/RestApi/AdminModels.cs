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

/// <summary>
/// A webhook endpoint as the panel lists it: its delivery state (<see cref="KefuWebhookStatus"/>), where it was set
/// (<c>options</c> or <c>console</c>), its event filter (empty: every event) and, for a console one, who added it. Never
/// the secret.
/// </summary>
internal sealed record AdminWebhook(
    string Name,
    string Url,
    KefuWebhookState State,
    string? Node,
    long Delivered,
    DateTimeOffset? LastDeliveredAt,
    IReadOnlyList<KefuWebhookFailure> RecentFailures,
    string Source,
    IReadOnlyList<string> Events,
    string? CreatedBy,
    DateTimeOffset? CreatedAt);

/// <summary>Every webhook endpoint, and the event types a new one may ask for.</summary>
internal sealed record AdminWebhookList(IReadOnlyList<AdminWebhook> Endpoints, IReadOnlyList<string> Events);

/// <summary>The body of an endpoint to add: a name, a URL and the event types (none: every type).</summary>
internal sealed record AdminNewWebhook(string? Name, string? Url, IReadOnlyList<string>? Events);

/// <summary>An endpoint just added, with its signing secret: the one time anybody sees it.</summary>
internal sealed record AdminCreatedWebhook(string Name, string Url, IReadOnlyList<string> Events, string Secret);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminKeyList))]
[JsonSerializable(typeof(AdminNewKey))]
[JsonSerializable(typeof(AdminCreatedKey))]
[JsonSerializable(typeof(AdminWebhookList))]
[JsonSerializable(typeof(AdminNewWebhook))]
[JsonSerializable(typeof(AdminCreatedWebhook))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
