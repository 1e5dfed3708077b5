using System.Text;

namespace KefuSync.Attachments;

/// <summary>
/// Decides a file's type from its first bytes alone (docs/protocol.md §9.2), never from its name or the client's MIME
/// type: a name or a header is whatever the uploader typed, the bytes are what a browser would render.
/// </summary>
/// <remarks>
/// Binary signatures are checked first, so a polyglot that starts as an image is an image (and is then re-encoded, which
/// drops whatever it hid); then SVG, then the WHATWG HTML signatures, then plain text. Pure: no I/O, no allocation but the
/// strings it returns (constants).
/// </remarks>
internal static class ContentSniffer
{
    /// <summary>How many leading bytes the sniffer looks at.</summary>
    public const int HeadBytes = 4096;

    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string WebP = "image/webp";
    public const string Pdf = "application/pdf";
    public const string Zip = "application/zip";
    public const string Svg = "image/svg+xml";
    public const string Html = "text/html";
    public const string Text = "text/plain";
    public const string Binary = "application/octet-stream";

    /// <summary>Every type the sniffer can answer (what <c>Attachments:AllowedTypes</c> may name).</summary>
    public static IReadOnlySet<string> KnownTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Png, Jpeg, Gif, WebP, Pdf, Zip, Svg, Html, Text, Binary,
    };

    // The WHATWG MIME Sniffing "HTML" patterns (section 7.1), each followed by a tag-terminating byte (space or '>').
    private static readonly string[] HtmlSignatures =
    [
        "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A", "<STYLE",
        "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--",
    ];

    public static bool IsImage(string type) => type is Png or Jpeg or Gif or WebP;

    /// <summary>The type of a file that starts with <paramref name="head"/> (its first <see cref="HeadBytes"/> bytes, or all of a shorter file).</summary>
    public static string Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return Gif;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return WebP;
        }

        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x50, 0x4B, 0x03, 0x04]))
        {
            return Zip;
        }

        var text = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? head[3..] : head;
        if (!IsText(text, truncated: head.Length >= HeadBytes))
        {
            return Binary;
        }

        var start = SkipWhitespace(text);
        if (IsSvg(start))
        {
            return Svg;
        }

        return IsHtml(start) ? Html : Text;
    }

    /// <summary>Valid UTF-8 (a sequence cut by the end of the sniffed head is fine) without NUL or controls but TAB, LF, FF and CR.</summary>
    private static bool IsText(ReadOnlySpan<byte> bytes, bool truncated)
    {
        foreach (var b in bytes)
        {
            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0C or 0x0D) || b == 0x7F)
            {
                return false;
            }
        }

        var check = bytes;
        if (truncated)
        {
            // Drop an incomplete sequence at the cut: at most 3 trailing bytes of a started character.
            var cut = check.Length;
            for (var i = 1; i <= 3 && i <= check.Length; i++)
            {
                var b = check[^i];
                if ((b & 0xC0) != 0x80)
                {
                    var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                    if (need > i)
                    {
                        cut = check.Length - i;
                    }

                    break;
                }
            }

            check = check[..cut];
        }

        return System.Text.Unicode.Utf8.IsValid(check);
    }

    private static ReadOnlySpan<byte> SkipWhitespace(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && bytes[i] is 0x09 or 0x0A or 0x0C or 0x0D or 0x20)
        {
            i++;
        }

        return bytes[i..];
    }

    /// <summary>The first element, after an XML declaration, comments, processing instructions and a doctype, is <c>svg</c>.</summary>
    private static bool IsSvg(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            bytes = SkipWhitespace(bytes);
            if (StartsWithIgnoreCase(bytes, "<svg"u8))
            {
                return bytes.Length == 4 || bytes[4] is 0x09 or 0x0A or 0x0C or 0x0D or 0x20 or (byte)'>' or (byte)'/';
            }

            ReadOnlySpan<byte> end;
            if (bytes.StartsWith("<?"u8))
            {
                end = "?>"u8;
            }
            else if (bytes.StartsWith("<!--"u8))
            {
                end = "-->"u8;
            }
            else if (StartsWithIgnoreCase(bytes, "<!DOCTYPE"u8))
            {
                end = ">"u8;
            }
            else
            {
                return false;
            }

            var at = bytes.IndexOf(end);
            if (at < 0)
            {
                return false;
            }

            bytes = bytes[(at + end.Length)..];
        }
    }

    private static bool IsHtml(ReadOnlySpan<byte> bytes)
    {
        Span<byte> signature = stackalloc byte[16];
        foreach (var pattern in HtmlSignatures)
        {
            var length = Encoding.ASCII.GetBytes(pattern, signature);
            if (bytes.Length > length && StartsWithIgnoreCase(bytes, signature[..length]) && bytes[length] is (byte)' ' or (byte)'>')
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> prefix)
        => bytes.Length >= prefix.Length && Ascii.EqualsIgnoreCase(bytes[..prefix.Length], prefix);
}
