namespace KefuSync.Protocol;

/// <summary>The kind of a message-channel op (docs/protocol.md §4.2): its top-level <c>k</c> member.</summary>
internal static class OpKind
{
    /// <summary>The top-level <c>k</c> of an op when it is a string, else null (a text op, or bytes that are not JSON).</summary>
    public static string? Of(ReadOnlySpan<byte> json) => JsonRecord.TopLevelString(json, "k"u8);
}
