using BenchmarkDotNet.Attributes;
using KefuSync.Ot;

namespace KefuSync.Benchmarks;

/// <summary>The OT algorithms on keystroke-sized operations over a 4,000-character document (a long draft).</summary>
[MemoryDiagnoser]
public class OtBenchmarks
{
    private const int DocumentLength = 4000;
    private string _document = "";
    private TextOperation _typeA = null!;
    private TextOperation _typeB = null!;
    private TextOperation _next = null!;
    private TextOperation _multi = null!;
    private TextDocument _gapBuffer = null!;
    private TextOperation _forward = null!;
    private TextOperation _backward = null!;

    [GlobalSetup]
    public void Setup()
    {
        _document = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", (DocumentLength / 45) + 1))[..DocumentLength];
        _typeA = new TextOperation().Retain(1200).Insert("a").Retain(DocumentLength - 1200);
        _typeB = new TextOperation().Retain(2500).Insert("b").Retain(DocumentLength - 2500);
        _next = new TextOperation().Retain(1201).Insert("c").Retain(DocumentLength - 1200);
        _multi = new TextOperation().Retain(100).Delete(20).Insert("replaced").Retain(1000).Insert("x").Retain(2000).Delete(5).Retain(DocumentLength - 3125);
        _gapBuffer = new TextDocument(_document);
        _forward = new TextOperation().Retain(2000).Insert("z").Retain(DocumentLength - 2000);
        _backward = new TextOperation().Retain(2000).Delete(1).Retain(DocumentLength - 2000);
    }

    [Benchmark(Description = "Transform (2 keystrokes)")]
    public TextOperation Transform() => TextOperation.Transform(_typeA, _typeB).BPrime;

    [Benchmark(Description = "Transform (multi-component vs keystroke)")]
    public TextOperation TransformMulti() => TextOperation.Transform(_multi, _typeB).BPrime;

    [Benchmark(Description = "Compose (2 keystrokes)")]
    public TextOperation Compose() => TextOperation.Compose(_typeA, _next);

    [Benchmark(Description = "Apply to string (4,000 chars)")]
    public string ApplyString() => _typeA.Apply(_document);

    [Benchmark(Description = "Apply to gap buffer (insert + delete)")]
    public int ApplyGapBuffer()
    {
        _gapBuffer.Apply(_forward);
        _gapBuffer.Apply(_backward);
        return _gapBuffer.Length;
    }
}
