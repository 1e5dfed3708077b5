namespace KefuSync.Protocol;

/// <summary>
/// The shape rules of every identifier on the wire (docs/protocol.md §2 and §3), written once: the frame handlers, the
/// channel-name parser and the store contract's documentation all refer to these.
/// </summary>
internal static class Identifiers
{
    /// <summary>The longest client id, client op id or request id (<c>c</c>, <c>id</c>, <c>q</c>).</summary>
    public const int MaxIdLength = 64;

    /// <summary>The longest channel name (<c>ch</c>).</summary>
    public const int MaxChannelLength = 128;

    /// <summary>Logical client id: 1–64 of <c>[A-Za-z0-9_-]</c>.</summary>
    public static bool IsClientId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxIdLength)
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

    /// <summary>Client op id: 1–64 printable ASCII characters (0x21–0x7E, no space).</summary>
    public static bool IsOpId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxIdLength)
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

    /// <summary>Request id (<c>q</c>): absent, or 1–64 printable ASCII characters like a client op id.</summary>
    public static bool IsQuery(string? value) => value is null || IsOpId(value);

    /// <summary>
    /// The characters and length of a channel name: 1–128 of <c>[A-Za-z0-9:_.-]</c>. Only the shape: which names exist is
    /// <see cref="ChannelName.TryParse"/>'s rule.
    /// </summary>
    public static bool IsChannelShape([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxChannelLength)
        {
            return false;
        }

        foreach (var ch in value)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is ':' or '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
