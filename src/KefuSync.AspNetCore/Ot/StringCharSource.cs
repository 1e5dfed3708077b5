// Invariants: a zero-cost view of a string as an ICharSource; as a struct used through a generic constraint, calls
// are devirtualised and nothing is boxed.
namespace KefuSync.Ot;

/// <summary>An <see cref="ICharSource"/> over a string.</summary>
internal readonly struct StringCharSource(string text) : ICharSource
{
    public int Length => text.Length;

    public char this[int index] => text[index];

    public string Slice(int start, int length) => text.Substring(start, length);
}
