// Generators for the OT property tests. Documents mix ASCII, CJK and emoji (surrogate pairs). Operations are built
// from a list of integer "choices" interpreted against the document, so every generated operation fits its document
// and never puts a boundary inside a surrogate pair, and FsCheck can shrink a failure by shrinking the choice list.
using FsCheck;
using FsCheck.Fluent;
using KefuSync.Ot;

namespace KefuSync.Tests.Ot;

internal static class OtGenerators
{
    private static readonly string[] Alphabet = ["a", "b", "c", " ", "你", "好", "😀", "👍"];

    public static Gen<string> Document { get; } =
        Gen.Elements(Alphabet).ArrayOf().Select(string.Concat);

    public static Gen<int[]> Choices { get; } = Gen.Choose(0, 10_000).ArrayOf();

    /// <summary>A document and an operation on it.</summary>
    public static Arbitrary<(string Doc, TextOperation Op)> DocumentAndOperation { get; } =
        (from doc in Document
         from choices in Choices
         select (doc, Build(doc, choices))).ToArbitrary();

    /// <summary>A document and two concurrent operations on it.</summary>
    public static Arbitrary<(string Doc, TextOperation A, TextOperation B)> Concurrent { get; } =
        (from doc in Document
         from a in Choices
         from b in Choices
         select (doc, Build(doc, a), Build(doc, b))).ToArbitrary();

    /// <summary>A document, an operation on it, and an operation on the result.</summary>
    public static Arbitrary<(string Doc, TextOperation A, TextOperation B)> Sequential { get; } =
        (from doc in Document
         from a in Choices
         from b in Choices
         let first = Build(doc, a)
         select (doc, first, Build(first.Apply(doc), b))).ToArbitrary();

    /// <summary>A document and a list of choice lists, to be built into operations one after the other.</summary>
    public static Arbitrary<(string Doc, int[][] Steps)> History { get; } =
        (from doc in Document
         from steps in Choices.ArrayOf()
         select (doc, steps)).ToArbitrary();

    /// <summary>Positions of <paramref name="doc"/> that do not split a surrogate pair, 0 and the length included.</summary>
    public static int[] Boundaries(string doc)
    {
        var result = new List<int> { 0 };
        for (var i = 0; i < doc.Length;)
        {
            i += char.IsHighSurrogate(doc[i]) && i + 1 < doc.Length && char.IsLowSurrogate(doc[i + 1]) ? 2 : 1;
            result.Add(i);
        }

        return [.. result];
    }

    /// <summary>Interprets <paramref name="choices"/> as an operation on <paramref name="doc"/>.</summary>
    public static TextOperation Build(string doc, int[] choices)
    {
        var boundaries = Boundaries(doc);
        var op = new TextOperation();
        var k = 0; // index into boundaries: the position reached so far
        foreach (var choice in choices)
        {
            var left = boundaries.Length - 1 - k;
            if (choice % 4 == 0 || left == 0)
            {
                if (choice % 4 == 0)
                {
                    op.Insert(Text(choice / 4));
                }

                continue;
            }

            var step = 1 + (choice / 4 % Math.Min(4, left));
            var length = boundaries[k + step] - boundaries[k];
            if (choice % 4 == 1)
            {
                op.Delete(length);
            }
            else
            {
                op.Retain(length);
            }

            k += step;
        }

        return op.Retain(doc.Length - boundaries[k]);
    }

    /// <summary>A random position in [0, <paramref name="length"/>] derived from <paramref name="seed"/>.</summary>
    public static int Position(int seed, int length) => (int)((uint)seed % (uint)(length + 1));

    private static string Text(int seed)
    {
        var count = 1 + (seed % 3);
        var parts = new string[count];
        for (var i = 0; i < count; i++)
        {
            parts[i] = Alphabet[((seed / 3) + (i * 5)) % Alphabet.Length];
        }

        return string.Concat(parts);
    }
}
