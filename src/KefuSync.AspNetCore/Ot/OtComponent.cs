// Invariants: Length > 0 for every component a TextOperation holds; for an insert, Text is non-null and
// Length == Text.Length; for a retain or delete, Text is null.
namespace KefuSync.Ot;

/// <summary>One component of a <see cref="TextOperation"/>: a retain, an insert or a delete.</summary>
internal readonly struct OtComponent : IEquatable<OtComponent>
{
    private OtComponent(OtComponentKind kind, int length, string? text)
    {
        Kind = kind;
        Length = length;
        Text = text;
    }

    /// <summary>Retain, insert or delete.</summary>
    public OtComponentKind Kind { get; }

    /// <summary>How many UTF-16 code units this component retains, inserts or deletes.</summary>
    public int Length { get; }

    /// <summary>The inserted text for an insert; <see langword="null"/> otherwise.</summary>
    public string? Text { get; }

    internal static OtComponent Retain(int count) => new(OtComponentKind.Retain, count, null);

    internal static OtComponent Insert(string text) => new(OtComponentKind.Insert, text.Length, text);

    internal static OtComponent Delete(int count) => new(OtComponentKind.Delete, count, null);

    /// <inheritdoc />
    public bool Equals(OtComponent other) =>
        Kind == other.Kind && Length == other.Length && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is OtComponent other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Length, Text is null ? 0 : string.GetHashCode(Text, StringComparison.Ordinal));

    /// <summary>The wire form: <c>5</c>, <c>"abc"</c> or <c>-2</c>.</summary>
    public override string ToString() => Kind switch
    {
        OtComponentKind.Retain => Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        OtComponentKind.Delete => (-Length).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "\"" + System.Text.Json.JsonEncodedText.Encode(Text!).ToString() + "\"",
    };

    /// <summary>Structural equality.</summary>
    public static bool operator ==(OtComponent left, OtComponent right) => left.Equals(right);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(OtComponent left, OtComponent right) => !left.Equals(right);
}
