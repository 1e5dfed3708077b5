using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using KefuSync.Ot;
using KefuSync.Protocol;
using KefuSync.Stores;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Sync;

/// <summary>
/// Per-channel runtime state on this node, and the text documents: loaded from the latest snapshot plus the ops after
/// it, snapshotted every <see cref="KefuRetentionOptions.SnapshotEvery"/> ops (more for a long document: see
/// <see cref="AfterCommitAsync"/>), with old ops trimmed behind the snapshot.
/// </summary>
internal sealed partial class TextDocuments(IOpStore store, IServiceProvider services, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options, ILogger<TextDocuments> logger)
{
    private readonly ConcurrentDictionary<string, ChannelRuntime> _runtimes = new(StringComparer.Ordinal);
    private readonly ISnapshotStore? _snapshots = (ISnapshotStore?)services.GetService(typeof(ISnapshotStore));

    public ChannelRuntime Runtime(string channel)
    {
        var runtime = _runtimes.GetOrAdd(channel, static _ => new ChannelRuntime());
        runtime.LastUsed = time.GetTimestamp();
        return runtime;
    }

    /// <summary>Loads the document of <paramref name="channel"/> into <paramref name="runtime"/> if needed. Call under the runtime's gate.</summary>
    public async ValueTask<TextChannelState> EnsureLoadedAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
    {
        if (runtime.Text is { } loaded)
        {
            return loaded;
        }

        Snapshot? snapshot;
        string text;
        try
        {
            snapshot = _snapshots is null ? null : await _snapshots.GetSnapshotAsync(channel.Value, cancellationToken).ConfigureAwait(false);
            text = snapshot is null ? "" : JsonSerializer.Deserialize(snapshot.State.Span, SyncJsonContext.Default.String) ?? "";
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }

        var state = new TextChannelState(new TextDocument(text), snapshot?.Revision ?? 0);
        await CatchUpAsync(channel, state, cancellationToken).ConfigureAwait(false);
        runtime.Text = state;
        return state;
    }

    /// <summary>
    /// Applies to <paramref name="state"/> every op the store has after its revision; returns the ops applied. Throws
    /// <see cref="StoreUnavailableException"/> when the store fails or returns a log that cannot have been written.
    /// </summary>
    public async Task<List<TextOperation>> CatchUpAsync(ChannelName channel, TextChannelState state, CancellationToken cancellationToken)
    {
        var applied = new List<TextOperation>();
        try
        {
            while (true)
            {
                var ops = await store.ReadAsync(channel.Value, state.Revision, 1000, cancellationToken).ConfigureAwait(false);
                if (ops.Count == 0)
                {
                    return applied;
                }

                if (ops[0].Revision != state.Revision + 1)
                {
                    throw new StoreUnavailableException(channel.Value, $"Channel '{channel.Value}' has no op {state.Revision + 1} and no snapshot that covers it; the store lost data.");
                }

                foreach (var record in ops)
                {
                    // Committed ops were validated before they were appended: one that no longer parses or applies is the store's fault.
                    var op = TextOperation.Parse(record.Payload.Span, maxComponents: int.MaxValue);
                    state.Apply(record.Revision, op, record.ClientOpId);
                    applied.Add(op);
                }
            }
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
    }

    /// <summary>
    /// Drops the state of channels unused for <paramref name="idle"/>, so memory follows active channels, not every channel
    /// ever touched. Safe against a racing user: a dropped runtime still works, and the store's expected-revision check
    /// keeps two runtimes of one channel correct.
    /// </summary>
    public int Evict(TimeSpan idle)
    {
        var now = time.GetTimestamp();
        var evicted = 0;
        foreach (var (channel, runtime) in _runtimes)
        {
            if (time.GetElapsedTime(runtime.LastUsed, now) >= idle && runtime.Gate.CurrentCount == 1 && _runtimes.TryRemove(new KeyValuePair<string, ChannelRuntime>(channel, runtime)))
            {
                evicted++;
            }
        }

        return evicted;
    }

    /// <summary>The current text and revision of a document (for a <c>snapshot</c> frame).</summary>
    public async Task<(string Text, long Revision)> SnapshotAsync(ChannelName channel, CancellationToken cancellationToken)
    {
        var runtime = Runtime(channel.Value);
        await runtime.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var state = await EnsureLoadedAsync(channel, runtime, cancellationToken).ConfigureAwait(false);
            await CatchUpAsync(channel, state, cancellationToken).ConfigureAwait(false);
            return (state.Document.ToString(), state.Revision);
        }
        finally
        {
            runtime.Gate.Release();
        }
    }

    /// <summary>After a commit: snapshot and trim when due. Call under the runtime's gate. Failures only delay retention.</summary>
    /// <remarks>
    /// A snapshot costs O(document): it is taken every <see cref="KefuRetentionOptions.SnapshotEvery"/> ops, or every
    /// <see cref="CharsPerOpBetweenSnapshots"/>th of the document's length in ops when that is more, so its share per
    /// keystroke stays below that many characters however long the document grows (the trace replay of a 100,000-character
    /// paper spent a fifth of its time in snapshots every 200 ops: docs/benchmarks.md, "Performance, round 3").
    /// </remarks>
    public Task AfterCommitAsync(ChannelName channel, TextChannelState state, CancellationToken cancellationToken)
        => _snapshots is null || ++state.OpsSinceSnapshot < Math.Max(options.CurrentValue.Retention.SnapshotEvery, state.Document.Length / CharsPerOpBetweenSnapshots)
            ? Task.CompletedTask // every op but one in SnapshotEvery: no state machine
            : SnapshotAndTrimAsync(channel, state, cancellationToken);

    /// <summary>A snapshot is due at most once per this many characters of the document per op (see <see cref="AfterCommitAsync"/>).</summary>
    internal const int CharsPerOpBetweenSnapshots = 64;

    /// <summary>
    /// The snapshot's JSON string escapes only what JSON requires: it is stored and parsed back, never put in a page, and
    /// the default encoder's escaping of every non-ASCII character ran character by character over the whole document.
    /// </summary>
    private static readonly JsonWriterOptions SnapshotJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte[] SnapshotBytes(TextDocument document)
    {
        var buffer = new ArrayBufferWriter<byte>(document.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer, SnapshotJson))
        {
            writer.WriteStringValue(document.ToString());
        }

        return buffer.WrittenSpan.ToArray();
    }

    private async Task SnapshotAndTrimAsync(ChannelName channel, TextChannelState state, CancellationToken cancellationToken)
    {
        var retention = options.CurrentValue.Retention;
        state.OpsSinceSnapshot = 0;
        try
        {
            var bytes = SnapshotBytes(state.Document);
            await _snapshots!.SaveSnapshotAsync(channel.Value, new Snapshot(state.Revision, bytes), cancellationToken).ConfigureAwait(false);
            var trimTo = state.Revision - retention.KeepOpsBehindSnapshot;
            if (trimTo > 0)
            {
                await _snapshots.TrimAsync(channel.Value, trimTo, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SnapshotFailed(logger, channel.Value, ex);
        }
    }
}
