using KefuSync.Ot;

namespace KefuSync.Tests.Ot;

public sealed class TextDocumentTests
{
    [Fact]
    public void Apply_EditsInPlace_LikeStringApply()
    {
        var document = new TextDocument("hello world");

        document.Apply(TextOperation.Parse("[6,\"big \",5]"));
        document.Apply(TextOperation.Parse("[-6,9]"));
        document.Apply(TextOperation.Parse("[9,\"!\"]"));

        Assert.Equal("big world!", document.ToString());
        Assert.Equal(10, document.Length);
    }

    [Fact]
    public void Apply_LeavesDocumentUnchanged_WhenOperationIsRefused()
    {
        var document = new TextDocument("a😀b");

        var ex = Assert.Throws<OtException>(() => document.Apply(TextOperation.Parse("[1,\"x\",1,-1,1]")));

        Assert.Equal(OtErrorCode.SplitsSurrogatePair, ex.Code);
        Assert.Equal("a😀b", document.ToString());
        Assert.Equal(OtErrorCode.BaseLengthMismatch, Assert.Throws<OtException>(() => document.Apply(TextOperation.Parse("[3]"))).Code);
        Assert.Equal("a😀b", document.ToString());
    }

    [Fact]
    public void Apply_GrowsTheBuffer_ForLargeInserts()
    {
        var document = new TextDocument("ab");
        var big = new string('你', 10_000);

        document.Apply(new TextOperation().Retain(1).Insert(big).Retain(1));
        document.Apply(new TextOperation().Insert(big).Retain(10_002));

        Assert.Equal(big + "a" + big + "b", document.ToString());
    }

    [Fact]
    public void Slice_And_Indexer_ReadAcrossTheGap()
    {
        var document = new TextDocument("abcdef");
        document.Apply(TextOperation.Parse("[3,\"XY\",3]")); // the gap now sits after "abcXY"

        Assert.Equal("abcXYdef", document.ToString());
        Assert.Equal("cXYd", document.Slice(2, 4));
        Assert.Equal("ab", document.Slice(0, 2));
        Assert.Equal("ef", document.Slice(6, 2));
        Assert.Equal(string.Empty, document.Slice(8, 0));
        Assert.Equal('Y', document[4]);
        Assert.Equal('d', document[5]);
        Assert.Throws<ArgumentOutOfRangeException>(() => document[8]);
        Assert.Throws<ArgumentOutOfRangeException>(() => document.Slice(5, 4));
    }

    [Fact]
    public void Invert_ReadsDeletedTextFromTheDocument()
    {
        var document = new TextDocument("你好世界");
        document.Apply(TextOperation.Parse("[4,\"!\"]"));
        var op = TextOperation.Parse("[2,-2,1]");

        var inverse = op.Invert(document);
        document.Apply(op);
        document.Apply(inverse);

        Assert.Equal(TextOperation.Parse("[2,\"世界\",1]"), inverse);
        Assert.Equal("你好世界!", document.ToString());
    }
}
