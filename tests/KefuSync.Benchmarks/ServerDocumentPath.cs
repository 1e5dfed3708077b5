using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.Benchmarks;

/// <summary>
/// The server's real commit path for a text channel, built from AddKefuSync() with the in-memory store:
/// <c>CommitPipeline.SubmitAsync</c> parses the wire op, checks the base revision, transforms against the ops committed
/// since the base, validates, appends to the store (dedupe + expected revision), applies to the gap-buffer document,
/// serializes the <c>op</c> frame, fans out (no subscriber here) and snapshots every 200 ops.
/// </summary>
internal sealed class ServerDocumentPath : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly CommitPipeline _committer;
    private readonly KefuPrincipal _author = new("agent:bench", "Bench", PrincipalRole.Agent, ConversationKey: null, Visitor: null);
    private readonly ChannelName _channel;
    private long _revision;

    public ServerDocumentPath(string channel = "draft:trace")
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddKefuSync(o =>
        {
            o.Limits.MaxDocumentChars = 10_000_000; // automerge-paper ends above the 100,000 default
            if (int.TryParse(Environment.GetEnvironmentVariable("KEFU_BENCH_SNAPSHOT_EVERY"), out var every))
            {
                o.Retention.SnapshotEvery = every; // to measure the snapshot share of the path (docs/benchmarks.md)
            }
        });
        _services = services.BuildServiceProvider();
        _committer = _services.GetRequiredService<CommitPipeline>();
        if (!ChannelName.TryParse(channel, out _channel))
        {
            throw new ArgumentException("bad channel", nameof(channel));
        }
    }

    /// <summary>
    /// Submits every op of the trace in order, each against the current head (a single sequential editor), with the ids
    /// a browser tab sends (<c>t-1</c>, <c>t-2</c>…: sequenced, docs/protocol.md §4.1), or with UUIDs when
    /// <paramref name="uuidIds"/> (a third-party client: unsequenced ids, forgotten when their op is trimmed).
    /// </summary>
    public async Task ReplayAsync(byte[][] ops, bool uuidIds = false)
    {
        for (var i = 0; i < ops.Length; i++)
        {
            var id = uuidIds ? Guid.NewGuid().ToString() : "t-" + (i + 1);
            var result = await _committer.SubmitAsync(_author, _channel, id, _revision, ops[i], CancellationToken.None, fromClientFrame: true).ConfigureAwait(false);
            if (!result.Committed)
            {
                throw new InvalidOperationException($"op {i} refused: {result.ErrorCode} {result.ErrorMessage}");
            }

            _revision = result.Revision;
        }
    }

    public long Revision => _revision;

    /// <summary>Client op ids plus sequence marks the in-memory store holds (docs/benchmarks.md, bounded dedupe state).</summary>
    public long DedupeEntries => ((InMemoryOpStore)_services.GetRequiredService<IOpStore>()).DedupeEntries;

    public async Task<string> TextAsync()
    {
        var documents = _services.GetRequiredService<TextDocuments>();
        var (text, _) = await documents.SnapshotAsync(_channel, CancellationToken.None).ConfigureAwait(false);
        return text;
    }

    public void Dispose() => _services.Dispose();
}
