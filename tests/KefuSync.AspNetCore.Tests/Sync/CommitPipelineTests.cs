using System.Text;
using KefuSync.AspNetCore.Tests.Sync;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Tests.Sync;

/// <summary>
/// A channel kind the engine has never heard of, added as one handler and its registration: the pipeline's loop
/// commits it (dedupe, expected revision, retries, listeners) with no edit of its own (docs/architecture.md, "How to
/// add a channel kind").
/// </summary>
public sealed class CommitPipelineTests
{
    /// <summary>No such member exists in <see cref="ChannelKind"/>: the pipeline needs no entry of its own for a kind.</summary>
    private const ChannelKind ToyKind = (ChannelKind)42;

    private static readonly KefuPrincipal Agent = new("agent:1", "Agent", PrincipalRole.Agent, null, null);
    private static readonly ChannelName Toy = new("toy:1", ToyKind, "1");

    [Fact]
    public async Task ToyHandler_CommitsThroughThePipeline_AndItsListenerHearsOfIt()
    {
        using var services = Build(out var listener);
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var store = services.GetRequiredService<IOpStore>();

        var first = await pipeline.SubmitAsync(Agent, Toy, "t1", 0, Encoding.UTF8.GetBytes("\"hello\""), CancellationToken.None);
        Assert.Equal(SubmitResult.Ok(1), first);

        var records = await store.ReadAsync(Toy.Value, 0, 10, CancellationToken.None);
        var record = Assert.Single(records);
        Assert.Equal("{\"upper\":\"HELLO\"}", Encoding.UTF8.GetString(record.Payload.Span)); // the handler's payload, not the client's bytes
        Assert.Equal(("toy:1", 1L, "HELLO"), Assert.Single(listener.Heard));
    }

    /// <summary>The store and fan-out histograms read the clock only while listened to: listened to, every commit is measured.</summary>
    [Fact]
    public async Task StoreAndFanOutDurations_AreRecordedPerCommit_WhileAListenerCollectsThem()
    {
        using var services = Build(out _);
        var factory = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var heard = new List<string>();
        using var meters = new System.Diagnostics.Metrics.MeterListener();
        meters.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name is "kefusync.store.duration" or "kefusync.fanout.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            Assert.True(value >= 0);
            lock (heard)
            {
                heard.Add(instrument.Name);
            }
        });
        meters.Start();
        var pipeline = services.GetRequiredService<CommitPipeline>();

        Assert.True((await pipeline.SubmitAsync(Agent, Toy, "m1", 0, Encoding.UTF8.GetBytes("\"a\""), CancellationToken.None)).Committed);
        Assert.True((await pipeline.SubmitAsync(Agent, Toy, "m2", 0, Encoding.UTF8.GetBytes("\"b\""), CancellationToken.None)).Committed);

        Assert.Equal(2, heard.Count(n => n == "kefusync.store.duration"));
        Assert.Equal(2, heard.Count(n => n == "kefusync.fanout.duration"));
    }

    [Fact]
    public async Task ToyHandler_GetsDedupeAndRetriesFromTheLoop()
    {
        using var services = Build(out var listener);
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var store = services.GetRequiredService<IOpStore>();
        Assert.Equal(SubmitResult.Ok(1), await pipeline.SubmitAsync(Agent, Toy, "t1", 0, Encoding.UTF8.GetBytes("\"a\""), CancellationToken.None));

        // A resend of the same client op id is its original revision, and nothing is appended or heard again.
        Assert.Equal(SubmitResult.Dup(1), await pipeline.SubmitAsync(Agent, Toy, "t1", 0, Encoding.UTF8.GetBytes("\"a\""), CancellationToken.None));

        // Another node appends behind this node's back: the handler's head is stale, the append conflicts, the loop
        // rebases through the handler and appends at the new head.
        Assert.Equal(AppendStatus.Appended, (await store.AppendAsync(Toy.Value, 1, new OpDraft("other-node", "agent:2", DateTimeOffset.UnixEpoch, "{}"u8.ToArray()), CancellationToken.None)).Status);
        Assert.Equal(SubmitResult.Ok(3), await pipeline.SubmitAsync(Agent, Toy, "t2", 0, Encoding.UTF8.GetBytes("\"b\""), CancellationToken.None));

        Assert.Equal([("toy:1", 1L, "A"), ("toy:1", 3L, "B")], listener.Heard);
        Assert.Equal(1, services.GetRequiredService<ToyHandler>().Rebases);
    }

    [Fact]
    public async Task ToyHandler_RefusalsAreTheHandlersOwn()
    {
        using var services = Build(out var listener);
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var refused = await pipeline.SubmitAsync(Agent, Toy, "t1", 0, Encoding.UTF8.GetBytes("42"), CancellationToken.None);
        Assert.False(refused.Committed);
        Assert.Equal(ErrorCodes.InvalidOp, refused.ErrorCode);
        Assert.Empty(listener.Heard);
        Assert.Equal(0, await services.GetRequiredService<IOpStore>().GetRevisionAsync(Toy.Value, CancellationToken.None));
    }

    [Fact]
    public void TwoHandlersForOneKind_FailAtStartup()
    {
        using var provider = EngineServices.Build(more: s => s.AddSingleton<IChannelKindHandler, SecondTextHandler>());
        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<CommitPipeline>());
        Assert.Contains("one handler per kind", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(out ToyListener listener)
    {
        var heard = listener = new ToyListener();
        return EngineServices.Build(more: services =>
        {
            // The whole registration of a new kind: its handler, and (optionally) who listens to its commits.
            services.AddSingleton<ToyHandler>();
            services.AddSingleton<IChannelKindHandler>(sp => sp.GetRequiredService<ToyHandler>());
            services.AddSingleton<ICommitListener<string>>(heard);
        });
    }

    /// <summary>Ops are JSON strings; the stored payload is the upper-cased text. No transform: toy ops commute.</summary>
    internal sealed class ToyHandler(IOpStore store) : ChannelKindHandler<string>
    {
        public int Rebases { get; private set; }

        public override IReadOnlyList<ChannelKind> Kinds { get; } = [ToyKind];

        public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out string op, out SubmitResult refusal)
        {
            var text = Encoding.UTF8.GetString(json.Span);
            if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
            {
                (op, refusal) = ("", SubmitResult.Fail(ErrorCodes.InvalidOp, "A toy op is a JSON string."));
                return false;
            }

            (op, refusal) = (text[1..^1].ToUpperInvariant(), default);
            return true;
        }

        public override async ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
            => runtime.Head ??= await store.GetRevisionAsync(channel.Value, cancellationToken);

        public override ValueTask<PreparedOp<string>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, string op, long head, CancellationToken cancellationToken)
            => new(PreparedOp<string>.Ready(op, head, Encoding.UTF8.GetBytes($"{{\"upper\":\"{op}\"}}")));

        public override ValueTask<PreparedOp<string>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<string> prepared, long storeHead, CancellationToken cancellationToken)
        {
            Rebases++;
            return new(prepared with { Head = storeHead });
        }

        public override void Apply(ChannelRuntime runtime, in CommittedOp<string> committed) => runtime.Head = committed.Revision;
    }

    private sealed class ToyListener : ICommitListener<string>
    {
        public List<(string Channel, long Revision, string Op)> Heard { get; } = [];

        public ValueTask OnCommittedAsync(CommittedOp<string> committed, CancellationToken cancellationToken)
        {
            Heard.Add((committed.Channel.Value, committed.Revision, committed.Op));
            return ValueTask.CompletedTask;
        }
    }

    private sealed class SecondTextHandler : ChannelKindHandler<string>
    {
        public override IReadOnlyList<ChannelKind> Kinds { get; } = [ChannelKind.Draft];

        public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out string op, out SubmitResult refusal)
            => throw new InvalidOperationException("never called: the pipeline refuses to start");

        public override ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken) => throw new InvalidOperationException("never called");

        public override ValueTask<PreparedOp<string>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, string op, long head, CancellationToken cancellationToken) => throw new InvalidOperationException("never called");

        public override ValueTask<PreparedOp<string>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<string> prepared, long storeHead, CancellationToken cancellationToken) => throw new InvalidOperationException("never called");

        public override void Apply(ChannelRuntime runtime, in CommittedOp<string> committed) => throw new InvalidOperationException("never called");
    }
}
