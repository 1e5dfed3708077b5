// A text operation in the ot.js model: a sequence of retain / insert / delete components that walks a whole document.
//
// Invariants every instance keeps (the builder methods enforce them; nothing else can add components):
// - canonical form: no zero-length component, no two adjacent components of the same kind, and an insert is never
//   directly after a delete (the insert is moved before it, as ot.js does). Two operations with the same effect on
//   every document therefore have equal component lists, so structural equality is semantic equality;
// - BaseLength = sum of retains + deletes, TargetLength = sum of retains + inserts, both <= MaxLength;
// - positions and lengths count UTF-16 code units, exactly as JavaScript strings do.
// Apply/Invert additionally check the operation against the document: BaseLength == document length, no component
// boundary between the two halves of a surrogate pair, no unpaired surrogate in an inserted string.
//
// The algorithms (Compose, Transform, Invert, TransformIndex) live in TextOperation.Algorithms.cs, the wire form in
// TextOperation.Json.cs.
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace KefuSync.Ot;

/// <summary>
/// A text operation (ot.js model): retain <c>n</c> / insert <c>"text"</c> / delete <c>n</c> components that walk the
/// whole document. Positions and lengths are UTF-16 code units. The wire form is a JSON array:
/// a positive integer retains, a string inserts, a negative integer deletes, e.g. <c>[5, "abc", -2]</c>.
/// </summary>
/// <remarks>
/// <para>Build an operation with <see cref="Retain"/>, <see cref="Insert"/> and <see cref="Delete"/> (they return the
/// same instance, as in ot.js), then treat it as immutable: the algorithms never modify their inputs, and equality and
/// hash code are structural.</para>
/// <para>Concurrency rule (TP1): for concurrent <c>a</c> and <c>b</c> on the same document <c>S</c>,
/// <c>(a', b') = Transform(a, b)</c> gives <c>Apply(Apply(S, a), b') == Apply(Apply(S, b), a')</c>.
/// When both insert at the same position, <b><c>a</c>'s insert goes first</b>. The server calls
/// <c>Transform(committed, incoming)</c> and keeps <c>b'</c> (the op already committed wins ties); the client calls
/// <c>Transform(serverOp, pending)</c>, so both sides order ties the same way.</para>
/// </remarks>
public sealed partial class TextOperation : IEquatable<TextOperation>
{
    /// <summary>The largest base or target length an operation may have.</summary>
    public const int MaxLength = int.MaxValue;

    private readonly List<OtComponent> _components;
    private ReadOnlyCollection<OtComponent>? _view;

    /// <summary>Creates an empty operation (a no-op on the empty document).</summary>
    public TextOperation()
    {
        _components = [];
    }

    private TextOperation(int capacity)
    {
        _components = new List<OtComponent>(capacity);
    }

    /// <summary>The length of the document this operation applies to.</summary>
    public int BaseLength { get; private set; }

    /// <summary>The length of the document after applying this operation.</summary>
    public int TargetLength { get; private set; }

    /// <summary>The components, in canonical form.</summary>
    internal IReadOnlyList<OtComponent> Components => _view ??= _components.AsReadOnly();

    /// <summary>Whether applying this operation leaves every document unchanged (it only retains).</summary>
    public bool IsNoop => _components.Count == 0 || (_components.Count == 1 && _components[0].Kind == OtComponentKind.Retain);

    /// <summary>The components without copying; valid until the operation is next modified.</summary>
    internal ReadOnlySpan<OtComponent> Span => CollectionsMarshal.AsSpan(_components);

    /// <summary>Keeps the next <paramref name="count"/> code units. Zero adds nothing.</summary>
    /// <returns>This operation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="OtException"><see cref="OtErrorCode.TooLarge"/> when a length would exceed <see cref="MaxLength"/>.</exception>
    public TextOperation Retain(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return this;
        }

        var baseLength = AddLength(BaseLength, count);
        TargetLength = AddLength(TargetLength, count);
        BaseLength = baseLength;
        var last = _components.Count - 1;
        if (last >= 0 && _components[last].Kind == OtComponentKind.Retain)
        {
            _components[last] = OtComponent.Retain(_components[last].Length + count);
        }
        else
        {
            _components.Add(OtComponent.Retain(count));
        }

        return this;
    }

    /// <summary>Inserts <paramref name="text"/> at the current position. An empty string adds nothing.</summary>
    /// <returns>This operation.</returns>
    /// <exception cref="OtException"><see cref="OtErrorCode.TooLarge"/> when the target length would exceed <see cref="MaxLength"/>.</exception>
    public TextOperation Insert(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return this;
        }

        TargetLength = AddLength(TargetLength, text.Length);
        var count = _components.Count;
        if (count > 0 && _components[count - 1].Kind == OtComponentKind.Insert)
        {
            _components[count - 1] = OtComponent.Insert(string.Concat(_components[count - 1].Text, text));
        }
        else if (count > 0 && _components[count - 1].Kind == OtComponentKind.Delete)
        {
            // Canonical order: an insert next to a delete goes before it (same effect, one representation).
            if (count > 1 && _components[count - 2].Kind == OtComponentKind.Insert)
            {
                _components[count - 2] = OtComponent.Insert(string.Concat(_components[count - 2].Text, text));
            }
            else
            {
                _components.Insert(count - 1, OtComponent.Insert(text));
            }
        }
        else
        {
            _components.Add(OtComponent.Insert(text));
        }

        return this;
    }

    /// <summary>Removes the next <paramref name="count"/> code units. Zero adds nothing.</summary>
    /// <returns>This operation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    /// <exception cref="OtException"><see cref="OtErrorCode.TooLarge"/> when the base length would exceed <see cref="MaxLength"/>.</exception>
    public TextOperation Delete(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return this;
        }

        BaseLength = AddLength(BaseLength, count);
        var last = _components.Count - 1;
        if (last >= 0 && _components[last].Kind == OtComponentKind.Delete)
        {
            _components[last] = OtComponent.Delete(_components[last].Length + count);
        }
        else
        {
            _components.Add(OtComponent.Delete(count));
        }

        return this;
    }

    /// <summary>Applies this operation to <paramref name="document"/>.</summary>
    /// <returns>The new document.</returns>
    /// <exception cref="OtException">
    /// <see cref="OtErrorCode.BaseLengthMismatch"/>, <see cref="OtErrorCode.SplitsSurrogatePair"/> or
    /// <see cref="OtErrorCode.InvalidSurrogate"/> when the operation does not fit the document.
    /// </exception>
    public string Apply(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        ValidateAgainst(new StringCharSource(document));

        // One allocation: the result string, written in place.
        return string.Create(TargetLength, (Op: this, Document: document), static (span, state) =>
        {
            var source = state.Document.AsSpan();
            int read = 0, write = 0;
            foreach (var component in state.Op.Span)
            {
                switch (component.Kind)
                {
                    case OtComponentKind.Retain:
                        source.Slice(read, component.Length).CopyTo(span[write..]);
                        read += component.Length;
                        write += component.Length;
                        break;
                    case OtComponentKind.Insert:
                        component.Text.AsSpan().CopyTo(span[write..]);
                        write += component.Length;
                        break;
                    default:
                        read += component.Length;
                        break;
                }
            }
        });
    }

    /// <summary>
    /// Checks that this operation fits <paramref name="document"/>: base length equal to the document length, no
    /// component boundary inside a surrogate pair, no unpaired surrogate in an insert. Costs O(components + inserted
    /// text); never reads the retained or deleted text except the two code units around each boundary.
    /// </summary>
    internal void ValidateAgainst<TSource>(TSource document)
        where TSource : ICharSource
    {
        if (BaseLength != document.Length)
        {
            throw new OtException(
                OtErrorCode.BaseLengthMismatch,
                $"The operation's base length is {BaseLength} but the document's length is {document.Length}.");
        }

        var position = 0;
        var components = Span;
        for (var i = 0; i < components.Length; i++)
        {
            var component = components[i];
            if (SplitsPair(document, position))
            {
                throw new OtException(
                    OtErrorCode.SplitsSurrogatePair,
                    $"Component {i} ({component}) starts at position {position}, between the two halves of a surrogate pair.");
            }

            if (component.Kind == OtComponentKind.Insert)
            {
                var bad = Utf16.IndexOfUnpairedSurrogate(component.Text);
                if (bad >= 0)
                {
                    throw new OtException(
                        OtErrorCode.InvalidSurrogate,
                        $"Component {i} inserts text with an unpaired surrogate at offset {bad}.");
                }
            }
            else
            {
                position += component.Length;
            }
        }

        // The end of the last component is the document's end, never inside a pair; the inner ends were all checked
        // as the start of the next component.
    }

    /// <summary>Whether position <paramref name="position"/> lies between a high and a low surrogate.</summary>
    private static bool SplitsPair<TSource>(TSource document, int position)
        where TSource : ICharSource =>
        position > 0 && position < document.Length
        && char.IsHighSurrogate(document[position - 1]) && char.IsLowSurrogate(document[position]);

    private static int AddLength(int current, int count)
    {
        var sum = (long)current + count;
        if (sum > MaxLength)
        {
            throw new OtException(OtErrorCode.TooLarge, $"The operation would span {sum} code units; the limit is {MaxLength}.");
        }

        return (int)sum;
    }

    /// <summary>Structural equality: same components (hence same base and target length).</summary>
    public bool Equals(TextOperation? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null && BaseLength == other.BaseLength && TargetLength == other.TargetLength
            && Span.SequenceEqual(other.Span);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TextOperation);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(BaseLength);
        hash.Add(TargetLength);
        foreach (var component in Span)
        {
            hash.Add(component);
        }

        return hash.ToHashCode();
    }

    /// <summary>The wire form, e.g. <c>[5,"abc",-2]</c>.</summary>
    public override string ToString() => ToJson();
}
