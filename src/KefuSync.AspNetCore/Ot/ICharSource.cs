// Invariants: indexes are UTF-16 code units in [0, Length); implementations are read-only for the duration of a call.
// Lets TextOperation validate and invert against a string or a TextDocument without copying either.
namespace KefuSync.Ot;

/// <summary>Random access to the code units of a document (a string or a <see cref="TextDocument"/>).</summary>
internal interface ICharSource
{
    /// <summary>The number of UTF-16 code units.</summary>
    int Length { get; }

    /// <summary>The code unit at <paramref name="index"/>.</summary>
    char this[int index] { get; }

    /// <summary>The code units in [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>) as a new string.</summary>
    string Slice(int start, int length);
}
