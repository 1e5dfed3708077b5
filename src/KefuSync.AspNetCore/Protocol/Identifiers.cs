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

    /// <summary>
    /// An op id only the server writes (docs/protocol.md §4.2): beginning with <c>~</c> (a bot's, <c>~NAME:REV:PART</c>) or
    /// ending with it (a merge's <c>merged~</c> and <c>m:KEY:REV~</c>, the server-side API's). They are deterministic
    /// or the server's alone, so a client that could take one would have the server's op dropped as its duplicate.
    /// </summary>
    public static bool IsServerOpId(string value) => value.Length > 0 && (value[0] == '~' || value[^1] == '~');

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

    /// <summary>
    /// The most digits of the number of a sequenced client op id. Nine, not more: a UUID's last group is twelve hex
    /// digits, all of them decimal in one UUID in 300, and such an id must not read as number 123456789012 of a client
    /// that exists once (its mark would be kept forever). No page mints a billion ops on one channel.
    /// </summary>
    public const int MaxSequenceDigits = 9;

    /// <summary>
    /// A sequenced client op id (docs/protocol.md §4.1): <c>{prefix}-{number}</c>, where the number is the 1–9 decimal
    /// digits after the last <c>-</c>, without a leading zero, and the prefix, everything before that <c>-</c>, is not
    /// empty. <c>tab7-12</c> and <c>a-b-3</c> are sequenced (<c>tab7</c>, 12; <c>a-b</c>, 3); <c>tab7-012</c>,
    /// <c>tab7-0</c>, <c>-3</c>, <c>uuid</c> and <c>x-1~</c> are not.
    /// </summary>
    public static bool TryParseSequenced(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? prefix, out long number)
    {
        prefix = null;
        number = 0;
        var dash = id.LastIndexOf('-');
        var digits = id.Length - dash - 1;
        if (dash < 1 || digits < 1 || digits > MaxSequenceDigits || id[dash + 1] == '0')
        {
            return false;
        }

        long value = 0;
        for (var i = dash + 1; i < id.Length; i++)
        {
            var ch = id[i];
            if (!char.IsAsciiDigit(ch))
            {
                return false;
            }

            value = (value * 10) + (ch - '0');
        }

        // One typist submits op after op with the same prefix: reuse this thread's last prefix string rather than cut a
        // new one from every keystroke's id (the parse is on the text hot path).
        var last = t_lastPrefix;
        prefix = last is not null && id.AsSpan(0, dash).SequenceEqual(last) ? last : t_lastPrefix = id[..dash];
        number = value;
        return true;
    }

    [ThreadStatic]
    private static string? t_lastPrefix;

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
