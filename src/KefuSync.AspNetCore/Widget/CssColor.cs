namespace KefuSync.Widget;

/// <summary>
/// The accent colours KefuSync accepts: <c>#rgb</c> or <c>#rrggbb</c>. Anything else (names, <c>rgb()</c>, <c>url()</c>,
/// a stray <c>;</c>) is refused, because the value is written into the widget's style and must never carry CSS of its own.
/// </summary>
internal static class CssColor
{
    public static bool IsHex(string? value)
        => value is { Length: 4 or 7 } && value[0] == '#' && !value.AsSpan(1).ContainsAnyExcept("0123456789abcdefABCDEF");
}
