using BenchmarkDotNet.Attributes;

namespace KefuSync.Benchmarks;

/// <summary>
/// Replays a whole editing trace through the server's commit path (<see cref="ServerDocumentPath"/>), one fresh server
/// (service provider, in-memory store, empty document) per invocation. Reported per whole trace: divide by the trace's
/// edits for the time per op (the <c>replay</c> command of this program prints ops/s directly). Run with
/// <c>--job short</c>: a replay of automerge-paper takes about a second.
/// </summary>
[MemoryDiagnoser]
public class TraceReplayBenchmarks
{
    private EditingTrace _trace = null!;
    private ServerDocumentPath? _server;

    [ParamsSource(nameof(Traces))]
    public string Trace { get; set; } = "";

    public static IEnumerable<string> Traces => EditingTrace.Names;

    [GlobalSetup]
    public void Setup() => _trace = EditingTrace.Load(Trace);

    [IterationSetup]
    public void NewServer()
    {
        _server?.Dispose();
        _server = new ServerDocumentPath();
    }

    [GlobalCleanup]
    public void Cleanup() => _server?.Dispose();

    [Benchmark(Description = "Replay whole trace through CommitPipeline")]
    public Task Replay() => _server!.ReplayAsync(_trace.Json);
}
