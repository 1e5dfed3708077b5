using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>
/// Reads a string token that is one of a few known words as that word's literal, so the hot path allocates no string
/// for what every frame repeats (a frame's type, a message's kind).
/// </summary>
internal static class JsonLiterals
{
    /// <summary>
    /// The entry of <paramref name="known"/> equal to the string at the reader, or null: not a string, another word, or
    /// written with escapes (no known word needs one, and comparing an escape that decodes to an unpaired surrogate
    /// throws; the caller's own read reports it, naming the member).
    /// </summary>
    public static string? Match(ref Utf8JsonReader reader, string[] known)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return null;
        }

        foreach (var word in known)
        {
            if (reader.ValueTextEquals(word))
            {
                return word;
            }
        }

        return null;
    }
}
