using System.Text;
using System.Text.Json;
using KefuSync.Ot;

namespace KefuSync.Tests.Ot;

public sealed class TextOperationTests
{
    private const string Emoji = "😀"; // U+1F600: "\uD83D\uDE00"

    private static TextOperation Op(string json) => TextOperation.Parse(json);

    [Fact]
    public void Builder_MergesAdjacentComponentsOfTheSameKind()
    {
        var op = new TextOperation().Retain(1).Retain(2).Insert("a").Insert("b").Delete(1).Delete(2);

        Assert.Equal("[3,\"ab\",-3]", op.ToJson());
        Assert.Equal(6, op.BaseLength);
        Assert.Equal(5, op.TargetLength);
        Assert.Equal(3, op.Components.Count);
    }

    [Fact]
    public void Builder_PutsInsertBeforeAdjacentDelete()
    {
        Assert.Equal("[1,\"x\",-2]", new TextOperation().Retain(1).Delete(2).Insert("x").ToJson());
        Assert.Equal("[\"ab\",-2]", new TextOperation().Insert("a").Delete(2).Insert("b").ToJson());
    }

    [Fact]
    public void Builder_IgnoresZeroLengthComponents()
    {
        var op = new TextOperation().Retain(0).Insert(string.Empty).Delete(0);

        Assert.Empty(op.Components);
        Assert.True(op.IsNoop);
    }

    [Fact]
    public void Builder_RejectsNegativeCounts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextOperation().Retain(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextOperation().Delete(-1));
        Assert.Throws<ArgumentNullException>(() => new TextOperation().Insert(null!));
    }

    [Fact]
    public void Builder_ThrowsTooLarge_WhenLengthsOverflow()
    {
        var op = new TextOperation().Retain(int.MaxValue);

        var ex = Assert.Throws<OtException>(() => op.Retain(1));
        Assert.Equal(OtErrorCode.TooLarge, ex.Code);
        Assert.Equal(int.MaxValue, op.BaseLength); // unchanged by the refused call
        Assert.Equal(OtErrorCode.TooLarge, Assert.Throws<OtException>(() => op.Insert("x")).Code);
    }

    [Fact]
    public void Components_ExposeKindLengthAndText()
    {
        var components = Op("[2,\"你好\",-3]").Components;

        Assert.Equal(OtComponentKind.Retain, components[0].Kind);
        Assert.Equal(2, components[0].Length);
        Assert.Null(components[0].Text);
        Assert.Equal(OtComponentKind.Insert, components[1].Kind);
        Assert.Equal("你好", components[1].Text);
        Assert.Equal(2, components[1].Length);
        Assert.Equal(OtComponentKind.Delete, components[2].Kind);
        Assert.Equal(3, components[2].Length);
        Assert.Equal("-3", components[2].ToString());
    }

    [Fact]
    public void IsNoop_IsTrueOnlyForRetainOnlyOperations()
    {
        Assert.True(new TextOperation().IsNoop);
        Assert.True(Op("[5]").IsNoop);
        Assert.False(Op("[5,\"x\"]").IsNoop);
        Assert.False(Op("[-5]").IsNoop);
    }

    [Fact]
    public void Equality_IsStructural()
    {
        var a = new TextOperation().Retain(1).Insert("x").Retain(2);
        var b = Op("[1,\"x\",2]");
        var c = Op("[1,\"y\",2]");

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.NotEqual(Op("[1,-1]"), Op("[-1,1]"));
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Apply_RetainsInsertsAndDeletes()
    {
        Assert.Equal("hello big world", Op("[6,\"big \",5]").Apply("hello world"));
        Assert.Equal("hello", Op("[5,-6]").Apply("hello world"));
    }

    [Fact]
    public void Apply_Throws_WhenBaseLengthDiffersFromDocument()
    {
        var ex = Assert.Throws<OtException>(() => Op("[2,\"x\"]").Apply("abc"));

        Assert.Equal(OtErrorCode.BaseLengthMismatch, ex.Code);
        Assert.Equal("base_length_mismatch", ex.CodeName);
        Assert.Contains("2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[2,\"x\",2]")] // insert between the halves
    [InlineData("[1,-1,2]")] // delete of the high half: the next component starts inside the pair
    [InlineData("[2,-2]")] // delete of the low half
    public void Apply_ThrowsSplitsSurrogatePair_AtTheBoundaryInsideThePair(string json)
    {
        const string doc = "a" + Emoji + "b"; // positions: 0 'a', 1 high, 2 low, 3 'b'
        var ex = Assert.Throws<OtException>(() => Op(json).Apply(doc));
        Assert.Equal(OtErrorCode.SplitsSurrogatePair, ex.Code);
        Assert.Contains("position 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,\"x\",3]", "ax" + Emoji + "b")]
    [InlineData("[3,\"x\",1]", "a" + Emoji + "xb")]
    [InlineData("[1,-2,1]", "ab")]
    [InlineData("[-3,1]", "b")]
    [InlineData("[2,2]", "a" + Emoji + "b")] // parsed as [4]: no boundary at 2
    public void Apply_AcceptsBoundariesBetweenCodePoints(string json, string expected)
    {
        Assert.Equal(expected, Op(json).Apply("a" + Emoji + "b"));
    }

    [Fact]
    public void Apply_Throws_WhenInsertHasUnpairedSurrogate()
    {
        var high = new TextOperation().Insert("x\uD83D");
        var low = new TextOperation().Insert("\uDE00x");
        var middle = new TextOperation().Insert("a\uD83Db");

        Assert.Equal(OtErrorCode.InvalidSurrogate, Assert.Throws<OtException>(() => high.Apply(string.Empty)).Code);
        Assert.Equal(OtErrorCode.InvalidSurrogate, Assert.Throws<OtException>(() => low.Apply(string.Empty)).Code);
        Assert.Equal(OtErrorCode.InvalidSurrogate, Assert.Throws<OtException>(() => middle.Apply(string.Empty)).Code);
    }

    [Fact]
    public void Apply_AcceptsInsertOfWholePairBuiltInTwoHalves()
    {
        var op = new TextOperation().Insert("\uD83D").Insert("\uDE00");

        Assert.Equal(Emoji, op.Apply(string.Empty));
    }

    [Fact]
    public void Transform_InsertTie_PutsFirstOperandFirst()
    {
        var a = Op("[1,\"X\",1]");
        var b = Op("[1,\"Y\",1]");

        var (aPrime, bPrime) = TextOperation.Transform(a, b);
        var (bPrime2, aPrime2) = TextOperation.Transform(b, a);

        Assert.Equal("aXYb", bPrime.Apply(a.Apply("ab")));
        Assert.Equal("aXYb", aPrime.Apply(b.Apply("ab")));
        Assert.Equal("aYXb", aPrime2.Apply(b.Apply("ab"))); // swapping operands swaps the tie
        Assert.Equal("aYXb", bPrime2.Apply(a.Apply("ab")));
    }

    [Fact]
    public void Transform_OverlappingDeletes_RemoveTheOverlapOnce()
    {
        var a = Op("[1,-3,2]"); // "abcdef" -> "aef"
        var b = Op("[2,-3,1]"); // "abcdef" -> "abf"

        var (aPrime, bPrime) = TextOperation.Transform(a, b);

        Assert.Equal(Op("[1,-1,1]"), aPrime);
        Assert.Equal(Op("[1,-1,1]"), bPrime);
        Assert.Equal("af", bPrime.Apply(a.Apply("abcdef")));
        Assert.Equal("af", aPrime.Apply(b.Apply("abcdef")));
    }

    [Fact]
    public void Transform_DeleteSpanningConcurrentInsert_KeepsTheInsert()
    {
        var delete = Op("[1,-4,1]"); // "abcdef" -> "af"
        var insert = Op("[3,\"XY\",3]"); // "abcdef" -> "abcXYdef"

        var (deletePrime, insertPrime) = TextOperation.Transform(delete, insert);
        var (insertPrime2, deletePrime2) = TextOperation.Transform(insert, delete);

        Assert.Equal("aXYf", insertPrime.Apply(delete.Apply("abcdef")));
        Assert.Equal("aXYf", deletePrime.Apply(insert.Apply("abcdef")));
        Assert.Equal("aXYf", deletePrime2.Apply(insert.Apply("abcdef")));
        Assert.Equal("aXYf", insertPrime2.Apply(delete.Apply("abcdef")));
    }

    [Fact]
    public void Transform_InsertAtStartOfConcurrentDelete_Survives()
    {
        var (aPrime, bPrime) = TextOperation.Transform(Op("[1,\"X\",2]"), Op("[1,-1,1]"));

        Assert.Equal("aXc", bPrime.Apply("aXbc"));
        Assert.Equal("aXc", aPrime.Apply("ac"));
    }

    [Fact]
    public void Transform_Throws_WhenBaseLengthsDiffer()
    {
        var ex = Assert.Throws<OtException>(() => TextOperation.Transform(Op("[1]"), Op("[2]")));

        Assert.Equal(OtErrorCode.BaseLengthMismatch, ex.Code);
    }

    [Fact]
    public void Compose_Throws_WhenLengthsDoNotChain()
    {
        var ex = Assert.Throws<OtException>(() => TextOperation.Compose(Op("[1,\"x\"]"), Op("[3]")));

        Assert.Equal(OtErrorCode.NotComposable, ex.Code);
        Assert.Equal("not_composable", ex.CodeName);
    }

    [Fact]
    public void Compose_DeleteOfInsertedText_Cancels()
    {
        var composed = TextOperation.Compose(Op("[1,\"abc\",1]"), Op("[2,-1,2]"));

        Assert.Equal(Op("[1,\"ac\",1]"), composed);
    }

    [Fact]
    public void Invert_RestoresDeletedText()
    {
        var op = Op("[1,\"👍\",-2,1]");

        var inverse = op.Invert("a" + Emoji + "b");

        Assert.Equal(Op("[1,\"" + Emoji + "\",-2,1]"), inverse);
        Assert.Equal("a" + Emoji + "b", inverse.Apply(op.Apply("a" + Emoji + "b")));
    }

    [Fact]
    public void Invert_Throws_WhenOperationDoesNotFitDocument()
    {
        Assert.Equal(OtErrorCode.BaseLengthMismatch, Assert.Throws<OtException>(() => Op("[3]").Invert("ab")).Code);
        Assert.Equal(OtErrorCode.SplitsSurrogatePair, Assert.Throws<OtException>(() => Op("[1,-1]").Invert(Emoji)).Code);
    }

    [Theory]
    [InlineData(0, true, 0)]
    [InlineData(2, true, 5)]
    [InlineData(2, false, 2)]
    [InlineData(3, true, 6)]
    [InlineData(5, true, 8)]
    public void TransformIndex_ShiftsPastInserts(int index, bool insertGoesBefore, int expected)
    {
        Assert.Equal(expected, Op("[2,\"abc\",3]").TransformIndex(index, insertGoesBefore));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    public void TransformIndex_MovesPositionsInsideDeleteToItsStart(int index, int expected)
    {
        Assert.Equal(expected, Op("[1,-3,2]").TransformIndex(index));
    }

    [Fact]
    public void TransformIndex_RejectsPositionsOutsideTheDocument()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Op("[3]").TransformIndex(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Op("[3]").TransformIndex(4));
    }

    [Fact]
    public void Parse_NormalizesNonCanonicalInput()
    {
        Assert.Equal("[3,\"ab\",-2]", Op("[1,2,\"a\",\"b\",-1,-1]").ToJson());
        Assert.Equal("[\"ab\",-2,2]", Op("[\"a\",-1,\"b\",-1,2]").ToJson());
        Assert.Equal("[1,\"x\",-2,1]", Op("[1,-2,\"x\",1]").ToJson());
    }

    [Theory]
    [InlineData("[1.5]")]
    [InlineData("[1.0]")] // JavaScript cannot tell 1.0 from 1; the server can, and refuses it
    [InlineData("[1e2]")]
    [InlineData("[0]")]
    [InlineData("[-0]")]
    [InlineData("[[1]]")]
    [InlineData("{\"op\":[1]}")]
    [InlineData("5")]
    [InlineData("null")]
    [InlineData("[true]")]
    [InlineData("[\"\"]")]
    [InlineData("[1,]")]
    [InlineData("[1")]
    [InlineData("")]
    [InlineData("[1] [2]")]
    [InlineData("[1 /* comment */]")]
    [InlineData("[2147483648]")]
    [InlineData("[-2147483648]")]
    [InlineData("[99999999999999999999999]")]
    public void Parse_RejectsMalformedInput(string json)
    {
        var ex = Assert.Throws<OtException>(() => TextOperation.Parse(json));

        Assert.Equal(OtErrorCode.Malformed, ex.Code);
    }

    [Fact]
    public void Parse_RejectsInvalidUtf8AsMalformed()
    {
        byte[] json = [(byte)'[', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)']'];

        var ex = Assert.Throws<OtException>(() => TextOperation.Parse(json));

        Assert.Equal(OtErrorCode.Malformed, ex.Code);
    }

    [Theory]
    [InlineData("[\"\\ud83d\"]")]
    [InlineData("[\"a\\uDE00\"]")]
    [InlineData("[\"\\ud83d\",\"\\ude00\"]")]
    public void Parse_RejectsEscapedUnpairedSurrogates(string json)
    {
        Assert.Equal(OtErrorCode.InvalidSurrogate, Assert.Throws<OtException>(() => TextOperation.Parse(json)).Code);
    }

    [Fact]
    public void Parse_DoesNotMistakeAnEscapedBackslashForASurrogateEscape()
    {
        Assert.Equal("\\ud83d", Op("[\"\\\\ud83d\"]").Components[0].Text);
    }

    [Fact]
    public void Parse_RejectsMoreComponentsThanTheLimit()
    {
        Assert.Equal(5, TextOperation.Parse("[1,\"a\",1,\"b\",1]", maxComponents: 5).Components.Count);
        var ex = Assert.Throws<OtException>(() => TextOperation.Parse("[1,\"a\",1,\"b\",1]", maxComponents: 4));
        Assert.Equal(OtErrorCode.Malformed, ex.Code);
        Assert.Contains("4", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[2147483647,1]")]
    [InlineData("[-2147483647,-1]")]
    [InlineData("[\"a\",2147483647]")]
    public void Parse_ThrowsTooLarge_WhenLengthsExceedTheLimit(string json)
    {
        Assert.Equal(OtErrorCode.TooLarge, Assert.Throws<OtException>(() => TextOperation.Parse(json)).Code);
    }

    [Fact]
    public void ReadFrom_ReadsTheOpInsideAFrame_AndStopsOnItsEndToken()
    {
        var frame = "{\"t\":\"submit\",\"op\":[3,\"你好\",-1],\"rev\":7}"u8;
        var reader = new Utf8JsonReader(frame);
        TextOperation? op = null;
        long rev = 0;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("op"u8))
            {
                reader.Read();
                op = TextOperation.ReadFrom(ref reader);
                Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
            }
            else if (reader.ValueTextEquals("rev"u8))
            {
                reader.Read();
                rev = reader.GetInt64();
            }
        }

        Assert.Equal(Op("[3,\"你好\",-1]"), op);
        Assert.Equal(7, rev);
    }

    [Fact]
    public void ReadFrom_RejectsAValueThatIsNotAnArray()
    {
        var ex = Assert.Throws<OtException>(() => ReadValueOfFirstProperty("{\"op\":\"x\"}"u8.ToArray()));

        Assert.Equal(OtErrorCode.Malformed, ex.Code);
    }

    [Fact]
    public void WriteTo_WritesTheCanonicalWireForm()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Op("[5,\"abc\",-2]").WriteTo(writer);
        }

        Assert.Equal("[5,\"abc\",-2]", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal("[2,\"你好\"]", Op("[2,\"你好\"]").ToJson()); // CJK stays readable on the wire
        Assert.Equal(Encoding.UTF8.GetBytes("[2,\"你好\"]"), Op("[2,\"你好\"]").ToUtf8Json());
    }

    [Theory]
    [InlineData(OtErrorCode.Malformed, "malformed")]
    [InlineData(OtErrorCode.TooLarge, "too_large")]
    [InlineData(OtErrorCode.BaseLengthMismatch, "base_length_mismatch")]
    [InlineData(OtErrorCode.SplitsSurrogatePair, "splits_surrogate_pair")]
    [InlineData(OtErrorCode.InvalidSurrogate, "invalid_surrogate")]
    [InlineData(OtErrorCode.NotComposable, "not_composable")]
    public void OtException_CodeName_IsTheSharedWireString(OtErrorCode code, string name)
    {
        Assert.Equal(name, new OtException(code, "m").CodeName);
        Assert.Equal(name, OtException.GetCodeName(code));
    }

    [Fact]
    public void OtException_CodeNames_CoverEveryCode()
    {
        foreach (var code in Enum.GetValues<OtErrorCode>())
        {
            Assert.Matches("^[a-z_]+$", OtException.GetCodeName(code));
        }
    }

    private static TextOperation ReadValueOfFirstProperty(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read(); // {
        reader.Read(); // property name
        reader.Read(); // value
        return TextOperation.ReadFrom(ref reader);
    }
}
