// Runs every case of tests/vectors/ot.json, the vectors shared with the TypeScript client
// (src/KefuSync.Widget/client/ot/text-operation.test.ts). Each case is its own test, named after the vector.
using System.Text;
using System.Text.Json;
using KefuSync.Ot;

namespace KefuSync.Tests.Ot;

public sealed class OtVectorTests
{
    private static readonly Lazy<JsonDocument> Vectors = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "vectors", "ot.json"))));

    public static TheoryData<string> CaseNames() => new(Names());

    private static List<string> Names() =>
        Vectors.Value.RootElement.GetProperty("cases").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToList();

    [Fact]
    public void Vectors_HaveFormat1_AndEnoughUniqueCases()
    {
        var root = Vectors.Value.RootElement;
        Assert.Equal(1, root.GetProperty("format").GetInt32());
        var names = Names();
        Assert.True(names.Count >= 40, $"only {names.Count} vectors");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Vector_Passes(string name)
    {
        var vector = Vectors.Value.RootElement.GetProperty("cases").EnumerateArray()
            .Single(v => v.GetProperty("name").GetString() == name);
        var kind = vector.GetProperty("kind").GetString();
        var error = vector.TryGetProperty("error", out var e) ? e.GetString() : null;
        switch (kind)
        {
            case "apply":
                {
                    var op = Op(vector, "op");
                    var doc = vector.GetProperty("doc").GetString()!;
                    if (error is not null)
                    {
                        AssertError(error, () => op.Apply(doc));
                        AssertError(error, () => new TextDocument(doc).Apply(op));
                    }
                    else
                    {
                        var expected = vector.GetProperty("expected").GetString();
                        Assert.Equal(expected, op.Apply(doc));
                        var document = new TextDocument(doc);
                        document.Apply(op);
                        Assert.Equal(expected, document.ToString());
                    }

                    break;
                }

            case "compose":
                {
                    var a = Op(vector, "a");
                    var b = Op(vector, "b");
                    if (error is not null)
                    {
                        AssertError(error, () => TextOperation.Compose(a, b));
                        break;
                    }

                    var doc = vector.GetProperty("doc").GetString()!;
                    var expectedDoc = vector.GetProperty("expectedDoc").GetString();
                    var ab = TextOperation.Compose(a, b);
                    Assert.Equal(Op(vector, "expected"), ab);
                    Assert.Equal(expectedDoc, ab.Apply(doc));
                    Assert.Equal(expectedDoc, b.Apply(a.Apply(doc)));
                    break;
                }

            case "transform":
                {
                    var a = Op(vector, "a");
                    var b = Op(vector, "b");
                    if (error is not null)
                    {
                        AssertError(error, () => TextOperation.Transform(a, b));
                        break;
                    }

                    var doc = vector.GetProperty("doc").GetString()!;
                    var expectedDoc = vector.GetProperty("expectedDoc").GetString();
                    var (aPrime, bPrime) = TextOperation.Transform(a, b);
                    Assert.Equal(Op(vector, "aPrime"), aPrime);
                    Assert.Equal(Op(vector, "bPrime"), bPrime);
                    Assert.Equal(expectedDoc, bPrime.Apply(a.Apply(doc)));
                    Assert.Equal(expectedDoc, aPrime.Apply(b.Apply(doc)));
                    break;
                }

            case "invert":
                {
                    var op = Op(vector, "op");
                    var doc = vector.GetProperty("doc").GetString()!;
                    if (error is not null)
                    {
                        AssertError(error, () => op.Invert(doc));
                        AssertError(error, () => op.Invert(new TextDocument(doc)));
                        break;
                    }

                    var inverse = op.Invert(doc);
                    Assert.Equal(Op(vector, "expected"), inverse);
                    Assert.Equal(inverse, op.Invert(new TextDocument(doc)));
                    Assert.Equal(doc, inverse.Apply(op.Apply(doc)));
                    break;
                }

            case "transformIndex":
                {
                    var op = Op(vector, "op");
                    var insertGoesBefore = !vector.TryGetProperty("insertGoesBefore", out var before) || before.GetBoolean();
                    Assert.Equal(
                        vector.GetProperty("expected").GetInt32(),
                        op.TransformIndex(vector.GetProperty("index").GetInt32(), insertGoesBefore));
                    break;
                }

            case "parse":
                {
                    var json = Encoding.UTF8.GetBytes(vector.GetProperty("json").GetString()!);
                    var max = vector.TryGetProperty("maxComponents", out var m) ? m.GetInt32() : TextOperation.DefaultMaxComponents;
                    if (error is not null)
                    {
                        AssertError(error, () => TextOperation.Parse(json, max));
                    }
                    else
                    {
                        var parsed = TextOperation.Parse(json, max);
                        Assert.Equal(Op(vector, "expected"), parsed);
                        Assert.Equal(parsed, TextOperation.Parse(parsed.ToJson()));
                    }

                    break;
                }

            default:
                Assert.Fail($"Unknown vector kind '{kind}'.");
                break;
        }
    }

    private static TextOperation Op(JsonElement vector, string property) =>
        TextOperation.Parse(Encoding.UTF8.GetBytes(vector.GetProperty(property).GetRawText()));

    private static void AssertError(string expectedCode, Action action)
    {
        var ex = Assert.Throws<OtException>(action);
        Assert.Equal(expectedCode, ex.CodeName);
    }
}
