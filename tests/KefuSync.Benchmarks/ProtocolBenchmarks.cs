using System.Text;
using BenchmarkDotNet.Attributes;
using KefuSync.Ot;
using KefuSync.Protocol;

namespace KefuSync.Benchmarks;

/// <summary>Reading client frames and writing server frames: the per-message work of the hot path.</summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly byte[] _submitMessage = Encoding.UTF8.GetBytes("{\"t\":\"submit\",\"c\":\"tab1\",\"ch\":\"conv:room17\",\"id\":\"tab1-1234\",\"rev\":0,\"op\":{\"k\":\"msg\",\"text\":\"Hello, I have a question about my order number 123456, can you help?\"}}");
    private readonly byte[] _submitText = Encoding.UTF8.GetBytes("{\"t\":\"submit\",\"c\":\"tab1\",\"ch\":\"draft:Q2xvdWQ\",\"id\":\"tab1-77\",\"rev\":41,\"op\":[1200,\"a\",2800]}");
    private readonly byte[] _sub = Encoding.UTF8.GetBytes("{\"t\":\"sub\",\"c\":\"tab1\",\"ch\":\"conv:room17\",\"rev\":1042}");
    private readonly byte[] _payload = Encoding.UTF8.GetBytes("{\"k\":\"msg\",\"text\":\"Hello, I have a question about my order number 123456, can you help?\",\"name\":\"Visitor 9f2c\",\"role\":\"visitor\"}");
    private readonly byte[] _textOp = Encoding.UTF8.GetBytes("[1200,\"a\",2800]");
    private readonly TextOperation _op = new TextOperation().Retain(1200).Insert("a").Retain(2800);

    [Benchmark(Description = "Parse submit (chat message)")]
    public bool ParseSubmitMessage() => FrameParser.TryParse(_submitMessage, out _, out _);

    [Benchmark(Description = "Parse submit (text op)")]
    public bool ParseSubmitText() => FrameParser.TryParse(_submitText, out _, out _);

    [Benchmark(Description = "Parse sub")]
    public bool ParseSub() => FrameParser.TryParse(_sub, out _, out _);

    [Benchmark(Description = "Write op frame (chat message)")]
    public byte[] WriteOp() => FrameWriter.Op("conv:room17", 1043, "tab1-1234", "a_9f2c4e", 1795000000000, _payload);

    [Benchmark(Description = "Write ack frame")]
    public byte[] WriteAck() => FrameWriter.Ack("tab1", "conv:room17", "tab1-1234", 1043, duplicate: false);

    [Benchmark(Description = "Parse text op JSON")]
    public TextOperation ParseTextOp() => TextOperation.Parse(_textOp);

    [Benchmark(Description = "Serialize text op JSON")]
    public byte[] SerializeTextOp() => _op.ToUtf8Json();
}
