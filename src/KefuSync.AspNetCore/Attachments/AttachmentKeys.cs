using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace KefuSync.Attachments;

/// <summary>
/// Names in the attachment world: scopes, upload ids, attachment ids and their blob keys. A conversation's files all live
/// under <c>conv/{key}/</c>, so <see cref="Stores.IBlobStore.ListAsync"/> finds them for quotas and erasure.
/// </summary>
internal static class AttachmentKeys
{
    /// <summary>The scope of files agents attach to canned replies.</summary>
    public const string CannedScope = "_canned";

    public const int MaxUploadIdLength = 64;

    private static readonly SearchValues<char> IdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    /// <summary>A conversation key (22 chars of base64url, as <see cref="Conversations.ConversationKeys"/> makes them) or <c>_canned</c>.</summary>
    public static bool IsScope(string? scope)
        => scope == CannedScope || (scope is { Length: 22 } && !scope.AsSpan().ContainsAnyExcept(IdChars));

    /// <summary>1–64 chars of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsUploadId(string? id)
        => id is { Length: > 0 and <= MaxUploadIdLength } && !id.AsSpan().ContainsAnyExcept(IdChars);

    /// <summary>22 chars of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsAttachmentId(string? id) => id is { Length: 22 } && !id.AsSpan().ContainsAnyExcept(IdChars);

    /// <summary>The attachment id of an upload: the same scope, uploader and upload id always give the same attachment.</summary>
    public static string AttachmentId(string scope, string uploader, string uploadId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"kefu-attachment\n{scope}\n{uploader}\n{uploadId}"), hash);
        return WebEncoders.Base64UrlEncode(hash[..16]);
    }

    /// <summary>The blob-key prefix of a scope's files, ending in <c>/</c>.</summary>
    public static string ScopePrefix(string scope) => scope == CannedScope ? "canned/" : $"conv/{scope}/";

    public static string File(string scope, string id) => $"{ScopePrefix(scope)}{id}/file";

    public static string Thumb(string scope, string id) => $"{ScopePrefix(scope)}{id}/thumb";

    public static string Meta(string scope, string id) => $"{ScopePrefix(scope)}{id}/meta";
}
