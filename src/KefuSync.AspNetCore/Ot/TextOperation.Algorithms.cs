// The OT algorithms. Guarantees, for any document S where the operations fit (checked by the property tests in
// tests/KefuSync.AspNetCore.Tests/Ot and by tests/vectors/ot.json, shared with the TypeScript client):
// - Compose:   Apply(S, Compose(a, b)) == Apply(Apply(S, a), b);
// - Transform: (a', b') = Transform(a, b) gives Apply(Apply(S, a), b') == Apply(Apply(S, b), a') (TP1), with a's
//              insert first when both insert at the same position; a delete that spans a concurrent insert keeps the
//              insert; overlapping deletes remove the overlap once;
// - Invert:    Apply(Apply(S, a), Invert(a, S)) == S;
// - TransformIndex: maps a position in [0, BaseLength] to a position in [0, TargetLength], monotonically.
// Every result is built through the builder methods, so it is canonical. Inputs are never modified. Each algorithm is
// a single pass, O(components of both inputs); the only allocations are the result and substrings of split inserts.
namespace KefuSync.Ot;

public sealed partial class TextOperation
{
    /// <summary>
    /// The operation that has the effect of <paramref name="first"/> followed by <paramref name="second"/>.
    /// </summary>
    /// <exception cref="OtException"><see cref="OtErrorCode.NotComposable"/> when <paramref name="first"/>'s target
    /// length differs from <paramref name="second"/>'s base length.</exception>
    public static TextOperation Compose(TextOperation first, TextOperation second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.TargetLength != second.BaseLength)
        {
            throw new OtException(
                OtErrorCode.NotComposable,
                $"Cannot compose: the first operation produces {first.TargetLength} code units but the second expects {second.BaseLength}.");
        }

        var result = new TextOperation(first._components.Count + second._components.Count);
        var a = new OpCursor(first.Span);
        var b = new OpCursor(second.Span);
        while (!a.Done || !b.Done)
        {
            // Deletes of the first and inserts of the second touch no text of the middle document: emit them as they come.
            if (!a.Done && a.Kind == OtComponentKind.Delete)
            {
                result.Delete(a.Remaining);
                a.Skip(a.Remaining);
                continue;
            }

            if (!b.Done && b.Kind == OtComponentKind.Insert)
            {
                result.Insert(b.TakeText(b.Remaining));
                continue;
            }

            // Unreachable with equal lengths; kept as a guard against a corrupted instance.
            if (a.Done || b.Done)
            {
                throw new OtException(OtErrorCode.NotComposable, "Cannot compose: one operation ended before the other.");
            }

            var n = Math.Min(a.Remaining, b.Remaining);
            switch (a.Kind, b.Kind)
            {
                case (OtComponentKind.Retain, OtComponentKind.Retain):
                    result.Retain(n);
                    a.Skip(n);
                    break;
                case (OtComponentKind.Retain, OtComponentKind.Delete):
                    result.Delete(n);
                    a.Skip(n);
                    break;
                case (OtComponentKind.Insert, OtComponentKind.Retain):
                    result.Insert(a.TakeText(n));
                    break;
                default: // (Insert, Delete): the second removes what the first inserted.
                    a.Skip(n);
                    break;
            }

            b.Skip(n);
        }

        return result;
    }

    /// <summary>
    /// Transforms two concurrent operations on the same document: returns <c>(aPrime, bPrime)</c> such that
    /// applying <paramref name="a"/> then <c>bPrime</c> gives the same document as applying <paramref name="b"/> then
    /// <c>aPrime</c> (TP1).
    /// </summary>
    /// <remarks>
    /// Tie-break (normative, shared with the TypeScript client): when both insert at the same position,
    /// <paramref name="a"/>'s insert goes first. The server calls <c>Transform(committed, incoming)</c> and keeps
    /// <c>bPrime</c>, so the op already committed wins; a client calls <c>Transform(serverOp, pending)</c>.
    /// </remarks>
    /// <exception cref="OtException"><see cref="OtErrorCode.BaseLengthMismatch"/> when the base lengths differ.</exception>
    public static (TextOperation APrime, TextOperation BPrime) Transform(TextOperation a, TextOperation b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.BaseLength != b.BaseLength)
        {
            throw new OtException(
                OtErrorCode.BaseLengthMismatch,
                $"Cannot transform: the operations apply to documents of {a.BaseLength} and {b.BaseLength} code units.");
        }

        var capacity = a._components.Count + b._components.Count;
        var aPrime = new TextOperation(capacity);
        var bPrime = new TextOperation(capacity);
        var x = new OpCursor(a.Span);
        var y = new OpCursor(b.Span);
        while (!x.Done || !y.Done)
        {
            // Inserts first, a before b: this is the tie-break. An insert inside a range the other deletes survives,
            // because the other side retains over it here before its delete continues.
            if (!x.Done && x.Kind == OtComponentKind.Insert)
            {
                var length = x.Remaining;
                aPrime.Insert(x.TakeText(length));
                bPrime.Retain(length);
                continue;
            }

            if (!y.Done && y.Kind == OtComponentKind.Insert)
            {
                var length = y.Remaining;
                aPrime.Retain(length);
                bPrime.Insert(y.TakeText(length));
                continue;
            }

            if (x.Done || y.Done)
            {
                throw new OtException(OtErrorCode.BaseLengthMismatch, "Cannot transform: one operation ended before the other.");
            }

            var n = Math.Min(x.Remaining, y.Remaining);
            switch (x.Kind, y.Kind)
            {
                case (OtComponentKind.Retain, OtComponentKind.Retain):
                    aPrime.Retain(n);
                    bPrime.Retain(n);
                    break;
                case (OtComponentKind.Delete, OtComponentKind.Retain):
                    aPrime.Delete(n);
                    break;
                case (OtComponentKind.Retain, OtComponentKind.Delete):
                    bPrime.Delete(n);
                    break;
                default: // (Delete, Delete): both removed the same text; neither needs to remove it again.
                    break;
            }

            x.Skip(n);
            y.Skip(n);
        }

        return (aPrime, bPrime);
    }

    /// <summary>The operation that undoes this one: <c>Apply(Apply(S, op), op.Invert(S)) == S</c>.</summary>
    /// <param name="document">The document this operation applies to (it supplies the deleted text).</param>
    /// <exception cref="OtException">When this operation does not fit <paramref name="document"/> (see <see cref="Apply"/>).</exception>
    public TextOperation Invert(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return InvertCore(new StringCharSource(document));
    }

    /// <summary>As <see cref="Invert(string)"/>, reading the deleted text from a <see cref="TextDocument"/> without copying it whole.</summary>
    internal TextOperation Invert(TextDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return InvertCore(document);
    }

    private TextOperation InvertCore<TSource>(TSource document)
        where TSource : ICharSource
    {
        ValidateAgainst(document);
        var inverse = new TextOperation(_components.Count);
        var position = 0;
        foreach (var component in Span)
        {
            switch (component.Kind)
            {
                case OtComponentKind.Retain:
                    inverse.Retain(component.Length);
                    position += component.Length;
                    break;
                case OtComponentKind.Insert:
                    inverse.Delete(component.Length);
                    break;
                default:
                    inverse.Insert(document.Slice(position, component.Length));
                    position += component.Length;
                    break;
            }
        }

        return inverse;
    }

    /// <summary>
    /// Moves a position (a cursor, or one end of a selection) in the base document to the matching position in the
    /// target document. A position inside a deleted range moves to the start of that range.
    /// </summary>
    /// <param name="index">A position in [0, <see cref="BaseLength"/>].</param>
    /// <param name="insertGoesBefore">
    /// When this operation inserts exactly at <paramref name="index"/>: <see langword="true"/> (the default, as in
    /// ot.js) puts the inserted text before the position, so the position moves to its end; <see langword="false"/>
    /// keeps the position before the inserted text.
    /// </param>
    /// <returns>A position in [0, <see cref="TargetLength"/>].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside [0, <see cref="BaseLength"/>].</exception>
    public int TransformIndex(int index, bool insertGoesBefore = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, BaseLength);
        var result = index;
        var position = 0; // in the base document
        foreach (var component in Span)
        {
            if (position > index)
            {
                break;
            }

            switch (component.Kind)
            {
                case OtComponentKind.Retain:
                    position += component.Length;
                    break;
                case OtComponentKind.Insert:
                    if (position < index || insertGoesBefore)
                    {
                        result += component.Length;
                    }

                    break;
                default:
                    result -= Math.Min(component.Length, index - position);
                    position += component.Length;
                    break;
            }
        }

        return result;
    }
}
