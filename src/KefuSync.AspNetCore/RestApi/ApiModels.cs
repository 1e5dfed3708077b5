using System.Text.Json;
using System.Text.Json.Serialization;

namespace KefuSync.RestApi;

/// <summary>One conversation as the API lists it (docs/rest-api.md).</summary>
internal sealed record ApiConversation(string Key, string Status, string? Assignee, string? VisitorName, string? Email, string? LastText, long LastRevision, int Unread, long Activity, string? VisitorId);

/// <summary>
/// A visitor's profile as the conversation knows it: the signed id, the name (host-given, or generated: <see cref="Generated"/>),
/// the email left in the offline form or signed by the host, the language, and the host's signed fields.
/// </summary>
internal sealed record ApiVisitor(string Id, string? Name, bool Generated, string? Email, string? Lang, IReadOnlyDictionary<string, string> Fields, string Conversation);

/// <summary>A page of conversations; <see cref="Next"/> is the cursor of the next page, null at the end.</summary>
internal sealed record ApiConversationPage(IReadOnlyList<ApiConversation> Items, string? Next);

/// <summary>One committed op of a conversation; <see cref="Op"/> is the op as docs/protocol.md §4.2 defines it.</summary>
internal sealed record ApiMessage(long Revision, string Author, DateTimeOffset Timestamp, string ClientOpId, JsonElement Op);

/// <summary>A page of a conversation's ops after a revision; <see cref="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
internal sealed record ApiMessagePage(IReadOnlyList<ApiMessage> Items, long? Next);

/// <summary>The body of a message post.</summary>
internal sealed record ApiPostMessage(string? Text);

/// <summary>The body of a status change: open, pending or closed.</summary>
internal sealed record ApiSetStatus(string? Status);

/// <summary>The body of an assignment: an agent id (<c>agent:NAME</c>) or null to unassign.</summary>
/// <remarks><c>to</c> is required, null allowed: an empty body must not unassign by accident.</remarks>
internal sealed record ApiAssign([property: JsonRequired] string? To);

/// <summary>What a write committed: its revision, and whether it was a repeat of an earlier one (same Idempotency-Key).</summary>
internal sealed record ApiCommitted(long Revision, bool Duplicate);

/// <summary>Source-generated JSON for every API body (camelCase, nulls written).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ApiConversationPage))]
[JsonSerializable(typeof(ApiConversation))]
[JsonSerializable(typeof(ApiVisitor))]
[JsonSerializable(typeof(ApiMessagePage))]
[JsonSerializable(typeof(ApiPostMessage))]
[JsonSerializable(typeof(ApiSetStatus))]
[JsonSerializable(typeof(ApiAssign))]
[JsonSerializable(typeof(ApiCommitted))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
