using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace KefuSync.Benchmarks;

/// <summary>
/// Replays a whole editing trace through the server's commit path (<see cref="ServerDocumentPath"/>), one fresh server
/// (service provider, in-memory store, empty document) per invocation. Reported per operation (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
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

    [Benchmark(Description = "Replay through OpCommitter (per op)")]
    public Task Replay() => _server!.ReplayAsync(_trace.Json);
}
