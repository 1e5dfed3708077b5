// Invariants: pure functions over UTF-16 code units; a surrogate is "paired" only when a high surrogate is immediately
// followed by a low one.
namespace KefuSync.Ot;

/// <summary>UTF-16 well-formedness checks used to keep operations from corrupting surrogate pairs.</summary>
internal static class Utf16
{
    /// <summary>The index of the first unpaired surrogate in <paramref name="text"/>, or -1 when it is well formed.</summary>
    public static int IndexOfUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        // Vectorised skip to the first surrogate: most text (ASCII, CJK) has none.
        var first = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return -1;
        }

        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}
