// FsCheck properties of the OT algorithms over documents with CJK and emoji. See OtGenerators for how operations are
// generated (always fitting their document, never splitting a surrogate pair).
using FsCheck;
using FsCheck.Fluent;
using KefuSync.Ot;

namespace KefuSync.Tests.Ot;

public sealed class TextOperationPropertyTests
{
    private static readonly Config Many = Config.QuickThrowOnFailure.WithMaxTest(500);

    [Fact]
    public void Transform_Converges_TP1()
    {
        Prop.ForAll(OtGenerators.Concurrent, c =>
        {
            var (aPrime, bPrime) = TextOperation.Transform(c.A, c.B);
            return aPrime.BaseLength == c.B.TargetLength
                && bPrime.BaseLength == c.A.TargetLength
                && bPrime.Apply(c.A.Apply(c.Doc)) == aPrime.Apply(c.B.Apply(c.Doc));
        }).Check(Many);
    }

    [Fact]
    public void Transform_KeepsTheInsertsOfBothSides()
    {
        Prop.ForAll(OtGenerators.Concurrent, c =>
        {
            var (aPrime, bPrime) = TextOperation.Transform(c.A, c.B);
            var inserted = (TextOperation op) => op.Components.Where(x => x.Kind == OtComponentKind.Insert).Sum(x => x.Length);
            return inserted(aPrime) == inserted(c.A) && inserted(bPrime) == inserted(c.B);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Compose_EqualsApplyingInSequence()
    {
        Prop.ForAll(OtGenerators.Sequential, c =>
            TextOperation.Compose(c.A, c.B).Apply(c.Doc) == c.B.Apply(c.A.Apply(c.Doc))).Check(Many);
    }

    [Fact]
    public void Invert_UndoesTheOperation()
    {
        Prop.ForAll(OtGenerators.DocumentAndOperation, c =>
            c.Op.Invert(c.Doc).Apply(c.Op.Apply(c.Doc)) == c.Doc).Check(Many);
    }

    [Fact]
    public void TransformIndex_StaysInRange_AndKeepsOrder()
    {
        var arb = (from pair in OtGenerators.DocumentAndOperation.Generator
                   from x in Gen.Choose(0, int.MaxValue)
                   from y in Gen.Choose(0, int.MaxValue)
                   from before in Gen.Elements(true, false)
                   select (pair.Doc, pair.Op, X: OtGenerators.Position(x, pair.Doc.Length), Y: OtGenerators.Position(y, pair.Doc.Length), before))
            .ToArbitrary();

        Prop.ForAll(arb, c =>
        {
            var tx = c.Op.TransformIndex(c.X, c.before);
            var ty = c.Op.TransformIndex(c.Y, c.before);
            return tx >= 0 && tx <= c.Op.TargetLength && (c.X > c.Y || tx <= ty);
        }).Check(Many);
    }

    [Fact]
    public void TransformIndex_KeepsTheCharacterUnderACursor_WhenItSurvives()
    {
        // A cursor before character i, when that character is retained, stays before the same character.
        var arb = (from pair in OtGenerators.DocumentAndOperation.Generator.Where(p => p.Doc.Length > 0)
                   from x in Gen.Choose(0, int.MaxValue)
                   select (pair.Doc, pair.Op, Index: OtGenerators.Position(x, pair.Doc.Length - 1)))
            .ToArbitrary();

        Prop.ForAll(arb, c =>
        {
            var retained = IsRetained(c.Op, c.Index);
            var after = c.Op.Apply(c.Doc);
            return !retained || after[c.Op.TransformIndex(c.Index, insertGoesBefore: true)] == c.Doc[c.Index];
        }).Check(Many);
    }

    [Fact]
    public void TextDocumentApply_EqualsStringApply()
    {
        Prop.ForAll(OtGenerators.History, c =>
        {
            var text = c.Doc;
            var document = new TextDocument(c.Doc);
            foreach (var step in c.Steps)
            {
                var op = OtGenerators.Build(text, step);
                Assert.Equal(op.Invert(text), op.Invert(document));
                text = op.Apply(text);
                document.Apply(op);
                Assert.Equal(text.Length, document.Length);
                Assert.Equal(text, document.ToString());
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Json_RoundTrips()
    {
        Prop.ForAll(OtGenerators.DocumentAndOperation, c =>
        {
            var fromBytes = TextOperation.Parse(c.Op.ToUtf8Json());
            var fromString = TextOperation.Parse(c.Op.ToJson());
            return fromBytes.Equals(c.Op) && fromString.Equals(c.Op)
                && fromBytes.BaseLength == c.Op.BaseLength && fromBytes.TargetLength == c.Op.TargetLength;
        }).Check(Many);
    }

    [Fact]
    public void Results_AreCanonical()
    {
        Prop.ForAll(OtGenerators.Sequential, c =>
            new[] { c.A, c.B, TextOperation.Compose(c.A, c.B), c.A.Invert(c.Doc) }.All(IsCanonical)).QuickCheckThrowOnFailure();
        Prop.ForAll(OtGenerators.Concurrent, c =>
        {
            var (aPrime, bPrime) = TextOperation.Transform(c.A, c.B);
            return IsCanonical(aPrime) && IsCanonical(bPrime);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Generators_ProduceSurrogatePairs()
    {
        // Guards the generators themselves: the properties above are only meaningful if emoji show up.
        var docs = OtGenerators.Document.Sample(50, 200);
        Assert.Contains(docs, d => d.Any(char.IsHighSurrogate));
        Assert.Contains(docs, d => d.Any(c => c == '你'));
    }

    private static bool IsRetained(TextOperation op, int index)
    {
        var position = 0;
        foreach (var component in op.Components)
        {
            if (component.Kind == OtComponentKind.Insert)
            {
                continue;
            }

            if (index < position + component.Length)
            {
                return component.Kind == OtComponentKind.Retain;
            }

            position += component.Length;
        }

        return false;
    }

    private static bool IsCanonical(TextOperation op)
    {
        var components = op.Components;
        for (var i = 0; i < components.Count; i++)
        {
            if (components[i].Length <= 0)
            {
                return false;
            }

            if (i > 0 && (components[i].Kind == components[i - 1].Kind
                || (components[i - 1].Kind == OtComponentKind.Delete && components[i].Kind == OtComponentKind.Insert)))
            {
                return false;
            }
        }

        return true;
    }
}
