namespace KefuSync.Protocol;

/// <summary>Shape rules for identifiers on the wire (docs/protocol.md §2).</summary>
internal static class FrameValidation
{
    /// <summary>Logical client id: 1–64 of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsClientId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }

        foreach (var ch in value)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Client op id: 1–64 printable ASCII characters.</summary>
    public static bool IsOpId(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
        {
            return false;
        }

        foreach (var ch in value)
        {
            if (ch < 0x21 || ch > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Request id: at most 64 printable ASCII characters.</summary>
    public static bool IsQuery(string? value) => value is null || IsOpId(value);
}
