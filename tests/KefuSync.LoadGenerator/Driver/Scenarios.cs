using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using KefuSync.Ot;
using KefuSync.Tests.Shared;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>Sizes of every scenario; <see cref="Smoke"/> shrinks them to a few seconds in all.</summary>
internal sealed record Sizes
{
    public int IdleConnections { get; init; } = 5000;
    public int FanOutRooms { get; init; } = 100;
    public int FanOutMembers { get; init; } = 10;
    public double FanOutRate { get; init; } = 20;
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5); // 2 s still measured tiered compilation (KefuSync has more code to tier up than raw)
    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(40); // then keep warming until the JIT is quiet (see WarmUpAsync)
    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(6);
    public TimeSpan SaturationMeasure { get; init; } = TimeSpan.FromSeconds(4);
    public int SaturationWindow { get; init; } = 16;
    public int BigRoomMembers { get; init; } = 1000;
    public double BigRoomRate { get; init; } = 20;
    public TimeSpan ConnectMeasure { get; init; } = TimeSpan.FromSeconds(3);
    public int ConnectParallel { get; init; } = 64;
    public int CoEditDocuments { get; init; } = 30;
    public double CoEditRate { get; init; } = 10;
    public TimeSpan CoEditMeasure { get; init; } = TimeSpan.FromSeconds(6);
    public int CatchUpMessages { get; init; } = 10_000;
    public int SlowMessages { get; init; } = 8_000;
    public int SlowPadding { get; init; } = 3_900;
    public int Padding { get; init; } = 60;
    public TimeSpan SlowStallTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan SlowDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int FallbackRounds { get; init; } = 2000;
    public int FallbackWarmupRounds { get; init; } = 500;
    public int BurstClients { get; init; } = 5000;
    public int BurstMembers { get; init; } = 50;
    public int BurstSeen { get; init; } = 10;
    public int BurstMissed { get; init; } = 50;
    public int LongRoomMessages { get; init; } = 100_000;
    public int LongRoomAgents { get; init; } = 50;
    public int WebhookRooms { get; init; } = 50;
    public double WebhookRate { get; init; } = 1000;
    public TimeSpan WebhookMeasure { get; init; } = TimeSpan.FromSeconds(10);
    public int WebhookBurst { get; init; } = 20_000;

    public static Sizes Smoke { get; } = new()
    {
        IdleConnections = 100,
        FanOutRooms = 5,
        FanOutMembers = 4,
        Warmup = TimeSpan.FromSeconds(0.5),
        MaxWarmup = TimeSpan.FromSeconds(0.5),
        Measure = TimeSpan.FromSeconds(1.5),
        SaturationMeasure = TimeSpan.FromSeconds(1),
        BigRoomMembers = 50,
        ConnectMeasure = TimeSpan.FromSeconds(1),
        ConnectParallel = 8,
        CoEditDocuments = 3,
        CoEditMeasure = TimeSpan.FromSeconds(2),
        CatchUpMessages = 1_000,
        SlowMessages = 4_000,
        SlowStallTimeout = TimeSpan.FromSeconds(2),
        SlowDrainTimeout = TimeSpan.FromSeconds(3),
        FallbackRounds = 50,
        FallbackWarmupRounds = 10,
        BurstClients = 100,
        BurstMembers = 10,
        BurstSeen = 2,
        BurstMissed = 5,
        LongRoomMessages = 2_000,
        LongRoomAgents = 5,
        WebhookRooms = 5,
        WebhookRate = 100,
        WebhookMeasure = TimeSpan.FromSeconds(1),
        WebhookBurst = 200,
    };
}

/// <summary>The result of one run: named figures, plus correctness failures (loss, duplicates, reordering, divergence).</summary>
internal sealed class RunResult
{
    public Dictionary<string, double> Metrics { get; } = new(StringComparer.Ordinal);

    public List<string> Failures { get; } = [];

    public List<string> Notes { get; } = [];
}

internal static class Scenarios
{
    private static readonly double TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000.0;

    // ---------------------------------------------------------------------------------------------------------------
    // Idle density: N connections, each subscribed to one conversation; RSS after a full GC, before and after.
    public static async Task<RunResult> IdleAsync(ServerProcess server, ServerKind kind, Sizes sizes)
    {
        var result = new RunResult();
        var before = await server.FullGcRssAsync().ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
        var clients = await ConnectManyAsync(kind, server.Address, sizes.IdleConnections, sizes.ConnectParallel, i => ("v" + i, false)).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await Task.Delay(500).ConfigureAwait(false);
        var after = await server.FullGcRssAsync().ConfigureAwait(false);
        result.Metrics["rss_per_conn_kb"] = (after - before) / (double)sizes.IdleConnections;
        result.Metrics["rss_idle_mb"] = after / 1024.0;
        result.Metrics["open_rate_per_s"] = sizes.IdleConnections / elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            client.Abort();
        }

        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connect rate: P workers loop connect + (hello + sub + catch-up | Join) + close for a fixed time.
    public static async Task<RunResult> ConnectAsync(ServerProcess server, ServerKind kind, Sizes sizes)
    {
        var result = new RunResult();
        long completed = 0;
        long failures = 0;
        var measuring = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, sizes.ConnectParallel).Select(w => Task.Run(async () =>
        {
            string? token = null;
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var client = await BenchClient.ConnectAsync(kind, server.Address, $"c{w}-{n++}", agent: false, CancellationToken.None, token).ConfigureAwait(false);
                    token ??= client.Token;
                    await client.CloseAsync().ConfigureAwait(false);
                    if (Volatile.Read(ref measuring) == 1)
                    {
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or IOException or OperationCanceledException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        // Warm up like the other scenarios: after 0.5 s most hot methods were still at an instrumented tier, so the
        // window measured tiered compilation more than connects.
        result.Metrics["warmup_s"] = await WarmUpAsync([server], sizes).ConfigureAwait(false);
        await AllocationsAsync([server], print: false).ConfigureAwait(false);
        var cpu0 = server.CpuSeconds();
        Volatile.Write(ref measuring, 1);
        var t0 = Stopwatch.GetTimestamp();
        await Task.Delay(sizes.ConnectMeasure).ConfigureAwait(false);
        Volatile.Write(ref measuring, 0);
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpu = server.CpuSeconds() - cpu0;
        await AllocationsAsync([server], print: true).ConfigureAwait(false);
        var count = Interlocked.Read(ref completed);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        result.Metrics["connects_per_s"] = count / seconds;
        result.Metrics["cpu_us_per_connect"] = count == 0 ? double.NaN : cpu * 1e6 / count;
        if (failures > 0)
        {
            result.Notes.Add($"{failures} connect attempts failed");
        }

        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Room broadcast: R rooms x M members, member 0 of each room sends (at a rate, or as fast as a window of un-echoed
    // messages allows). Every member checks its room's sequence numbers (and KefuSync revisions): consecutive, no
    // duplicate, nothing missing at the end.
    public static Task<RunResult> FanOutAsync(ServerProcess server, ServerKind kind, Sizes sizes, int rooms, int members, double rate, int window, TimeSpan measure)
        => FanOutAsync([server], kind, sizes, rooms, members, rate, window, measure);

    /// <summary>
    /// The same over several nodes (KefuSync over Redis): member m of every room connects to node m % nodes, so the
    /// sender (member 0) is on the first node and every message crosses the backplane. CPU and GC are summed over the
    /// nodes; <paramref name="extraCpu"/> (redis-server) is reported separately.
    /// </summary>
    public static async Task<RunResult> FanOutAsync(ServerProcess[] nodes, ServerKind kind, Sizes sizes, int rooms, int members, double rate, int window, TimeSpan measure, Func<double>? extraCpu = null)
    {
        var result = new RunResult();
        var clients = await ConnectManyAsync(kind, i => nodes[i % members % nodes.Length].Address, rooms * members, sizes.ConnectParallel, i => ("room" + (i / members), true)).ConfigureAwait(false);
        // Steady state, not the connection burst: every server gets a full collection after its clients connected, so
        // promoting the burst's objects to gen 2 (a one-off of 30-60 ms on this machine) does not land in the window.
        foreach (var node in nodes)
        {
            await node.FullGcRssAsync().ConfigureAwait(false);
        }

        var state = new MemberState[clients.Length];
        var latencies = new LatencyRecorder(4_000_000);
        var measuring = 0;
        long deliveries = 0;
        var sent = new long[rooms];
        var windows = Enumerable.Range(0, rooms).Select(_ => new SemaphoreSlim(Math.Max(1, window))).ToArray();
        using var stopReceiving = new CancellationTokenSource();
        var errors = new ConcurrentQueue<string>();
        var receivers = new Task[clients.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            var index = i;
            var member = state[i] = new MemberState();
            var isSender = index % members == 0;
            var room = index / members;
            receivers[i] = clients[i].ReceiveLoopAsync(m =>
            {
                switch (m.Kind)
                {
                    case InboundKind.Message:
                        member.Check(m, kind == ServerKind.Kefu, errors, index);
                        if (Volatile.Read(ref measuring) == 1)
                        {
                            Interlocked.Increment(ref deliveries);
                            latencies.Add(Stopwatch.GetTimestamp() - m.Ts);
                        }

                        if (isSender && window > 0)
                        {
                            windows[room].Release();
                        }

                        break;
                    case InboundKind.Error:
                        errors.Enqueue($"client {index}: error frame {m.Error}");
                        break;
                }
            }, stopReceiving.Token);
        }

        using var stopSending = new CancellationTokenSource();
        var senders = Enumerable.Range(0, rooms).Select(r => Task.Run(async () =>
        {
            var client = clients[r * members];
            var random = new Random(r);
            var interval = rate > 0 ? Stopwatch.Frequency / rate : 0;
            double next = Stopwatch.GetTimestamp() + (interval * random.NextDouble());
            long seq = 0;
            try
            {
                while (!stopSending.IsCancellationRequested)
                {
                    if (rate > 0)
                    {
                        var wait = (next - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
                        if (wait > 0.0005)
                        {
                            await Task.Delay(TimeSpan.FromSeconds(wait), stopSending.Token).ConfigureAwait(false);
                        }

                        next += interval;
                    }
                    else
                    {
                        await windows[r].WaitAsync(stopSending.Token).ConfigureAwait(false);
                    }

                    seq++;
                    var text = BenchClient.MessageText(seq, Stopwatch.GetTimestamp(), sizes.Padding);
                    await client.SendAsync(client.EncodeMessage(text, "s-" + seq), CancellationToken.None).ConfigureAwait(false);
                    Volatile.Write(ref sent[r], seq);
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
            catch (WebSocketException ex)
            {
                errors.Enqueue($"sender {r}: {ex.Message}");
            }
        })).ToArray();

        result.Metrics["warmup_s"] = await WarmUpAsync(nodes, sizes).ConfigureAwait(false);
        var counters0 = await CountersAsync(nodes).ConfigureAwait(false);
        await AllocationsAsync(nodes, print: false).ConfigureAwait(false);
        var cpu0 = nodes.Sum(n => n.CpuSeconds());
        var extra0 = extraCpu?.Invoke() ?? 0;
        var t0 = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(measure).ConfigureAwait(false);
        Volatile.Write(ref measuring, 0);
        var cpu = nodes.Sum(n => n.CpuSeconds()) - cpu0;
        var extra = (extraCpu?.Invoke() ?? 0) - extra0;
        var inWindow = await CountersAsync(nodes).ConfigureAwait(false) - counters0;
        await AllocationsAsync(nodes, print: true).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var delivered = Interlocked.Read(ref deliveries);
        await stopSending.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(senders).ConfigureAwait(false);

        // Drain: every member must reach its sender's last sequence number.
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !AllReceived(state, sent, members))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        for (var i = 0; i < state.Length; i++)
        {
            var expected = Volatile.Read(ref sent[i / members]);
            if (state[i].LastSeq != expected)
            {
                errors.Enqueue($"client {i} (room {i / members}): received up to {state[i].LastSeq} of {expected} (loss)");
            }
        }

        await stopReceiving.CancelAsync().ConfigureAwait(false);
        foreach (var client in clients)
        {
            client.Abort();
        }

        await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        result.Failures.AddRange(errors.Take(20));
        if (errors.Count > 20)
        {
            result.Failures.Add($"... {errors.Count - 20} more");
        }

        result.Metrics["deliveries_per_s"] = delivered / seconds;
        result.Metrics["cpu_us_per_delivery"] = delivered == 0 ? double.NaN : cpu * 1e6 / delivered;
        result.Metrics["server_cpu_pct"] = cpu / seconds * 100;
        result.Metrics["p50_ms"] = latencies.Percentile(0.50) / TicksPerMicrosecond / 1000;
        result.Metrics["p99_ms"] = latencies.Percentile(0.99) / TicksPerMicrosecond / 1000;
        result.Metrics["sent_total"] = sent.Sum();
        result.Metrics["gc_collections"] = inWindow.Collections;
        result.Metrics["gc_gen2"] = inWindow.Gen2;
        result.Metrics["gc_pause_ms"] = inWindow.PauseMs;
        result.Metrics["alloc_bytes_per_delivery"] = delivered == 0 ? double.NaN : inWindow.AllocatedBytes / delivered;
        result.Metrics["jit_methods"] = inWindow.JitMethods;
        result.Metrics["jit_ms"] = inWindow.JitMs;
        if (extraCpu is not null)
        {
            result.Metrics["redis_cpu_us_per_delivery"] = delivered == 0 ? double.NaN : extra * 1e6 / delivered;
        }
        return result;
    }

    private static bool AllReceived(MemberState[] state, long[] sent, int members)
    {
        for (var i = 0; i < state.Length; i++)
        {
            if (state[i].LastSeq < Volatile.Read(ref sent[i / members]))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class MemberState
    {
        public long LastSeq;
        public long LastRev = -1;

        public void Check(in Inbound m, bool checkRevision, ConcurrentQueue<string> errors, int index)
        {
            if (m.Seq != LastSeq + 1)
            {
                errors.Enqueue(m.Seq <= LastSeq
                    ? $"client {index}: duplicate or reordered message {m.Seq} after {LastSeq}"
                    : $"client {index}: gap, message {m.Seq} after {LastSeq}");
            }

            if (checkRevision)
            {
                if (LastRev >= 0 && m.Rev != LastRev + 1)
                {
                    errors.Enqueue($"client {index}: revision {m.Rev} after {LastRev}");
                }

                LastRev = m.Rev;
            }

            Volatile.Write(ref LastSeq, Math.Max(LastSeq, m.Seq));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Co-editing (KefuSync only): D documents x 3 editors typing at a rate through the OT client; at the end every
    // editor and a fresh subscriber must hold the same text.
    public static async Task<RunResult> CoEditAsync(ServerProcess server, Sizes sizes)
    {
        var result = new RunResult();
        var editors = new List<Editor>();
        for (var d = 0; d < sizes.CoEditDocuments; d++)
        {
            for (var e = 0; e < 3; e++)
            {
                var client = await BenchClient.ConnectAsync(ServerKind.Kefu, server.Address, "", agent: true, CancellationToken.None, channel: $"draft:doc{d}", subscribe: false).ConfigureAwait(false);
                var editor = new Editor(client, $"e{e}", new Random((d * 3) + e));
                await client.SubscribeAsync(0, CancellationToken.None, editor.OnReplay).ConfigureAwait(false);
                editors.Add(editor);
            }
        }

        var latencies = new LatencyRecorder(1_000_000);
        var errors = new ConcurrentQueue<string>();
        var measuring = 0;
        long committed = 0;
        using var stopReceiving = new CancellationTokenSource();
        var receivers = editors.Select(editor => editor.Client.ReceiveLoopAsync(m =>
        {
            if (editor.OnInbound(m, errors) is { } latency && Volatile.Read(ref measuring) == 1)
            {
                latencies.Add(latency);
                Interlocked.Increment(ref committed);
            }
        }, stopReceiving.Token)).ToArray();

        using var stopEditing = new CancellationTokenSource();
        var typists = editors.Select(editor => Task.Run(async () =>
        {
            var interval = TimeSpan.FromSeconds(1 / sizes.CoEditRate);
            await Task.Delay(TimeSpan.FromMilliseconds(editor.Random.Next(100))).ConfigureAwait(false);
            try
            {
                while (!stopEditing.IsCancellationRequested)
                {
                    await editor.EditAsync().ConfigureAwait(false);
                    await Task.Delay(interval, stopEditing.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        })).ToArray();

        result.Metrics["warmup_s"] = await WarmUpAsync([server], sizes).ConfigureAwait(false);
        var cpu0 = server.CpuSeconds();
        var t0 = Stopwatch.GetTimestamp();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(sizes.CoEditMeasure).ConfigureAwait(false);
        Volatile.Write(ref measuring, 0);
        var cpu = server.CpuSeconds() - cpu0;
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        await stopEditing.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(typists).ConfigureAwait(false);

        // Quiesce: every editor synchronized, then compare documents per channel and with a fresh subscriber's snapshot.
        var deadline = Stopwatch.GetTimestamp() + (15 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && editors.Any(e => !e.Idle))
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        foreach (var group in editors.GroupBy(e => e.Client.Channel))
        {
            var texts = group.Select(e => e.Text).Distinct(StringComparer.Ordinal).ToList();
            var revisions = group.Select(e => e.Revision).Distinct().ToList();
            if (group.Any(e => !e.Idle))
            {
                errors.Enqueue($"{group.Key}: editors still have unacknowledged ops");
            }

            if (texts.Count != 1 || revisions.Count != 1)
            {
                errors.Enqueue($"{group.Key}: editors diverged ({texts.Count} texts, revisions {string.Join(",", revisions)})");
                continue;
            }

            var fresh = await BenchClient.ConnectAsync(ServerKind.Kefu, server.Address, "", agent: true, CancellationToken.None, channel: group.Key, subscribe: false).ConfigureAwait(false);
            string? snapshot = null;
            await fresh.SubscribeAsync(0, CancellationToken.None, m => snapshot = m.Kind == InboundKind.Snapshot ? m.Doc : snapshot).ConfigureAwait(false);
            if (snapshot != texts[0])
            {
                errors.Enqueue($"{group.Key}: the server's snapshot differs from the editors' text");
            }

            fresh.Abort();
        }

        await stopReceiving.CancelAsync().ConfigureAwait(false);
        foreach (var editor in editors)
        {
            editor.Client.Abort();
        }

        await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        result.Failures.AddRange(errors.Take(20));
        var ops = Interlocked.Read(ref committed);
        result.Metrics["ops_per_s"] = ops / seconds;
        result.Metrics["cpu_us_per_op"] = ops == 0 ? double.NaN : cpu * 1e6 / ops;
        result.Metrics["p99_ms"] = latencies.Percentile(0.99) / TicksPerMicrosecond / 1000;
        result.Metrics["doc_chars_avg"] = editors.Average(e => e.Text.Length);
        return result;
    }

    /// <summary>One co-editor: a local text, the three-state OT client and random typing.</summary>
    private sealed class Editor(BenchClient client, string prefix, Random random)
    {
        private readonly Lock _gate = new();
        private readonly OtClient _ot = new(0, prefix);
        private string _text = "";
        private long _sentAt;

        public BenchClient Client { get; } = client;

        public Random Random { get; } = random;

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text;
                }
            }
        }

        public long Revision
        {
            get
            {
                lock (_gate)
                {
                    return _ot.Revision;
                }
            }
        }

        public bool Idle
        {
            get
            {
                lock (_gate)
                {
                    return _ot.State == OtClient.ClientState.Synchronized;
                }
            }
        }

        public void OnReplay(Inbound m)
        {
            lock (_gate)
            {
                if (m.Kind == InboundKind.Snapshot)
                {
                    _text = m.Doc ?? "";
                }
            }
        }

        public async Task EditAsync()
        {
            OtClient.Submit? send = null;
            lock (_gate)
            {
                var op = new TextOperation();
                var length = _text.Length;
                if (length > 40 && Random.Next(10) < 4)
                {
                    var at = Random.Next(length);
                    op.Retain(at).Delete(1).Retain(length - at - 1);
                }
                else
                {
                    var at = Random.Next(length + 1);
                    op.Retain(at).Insert(((char)('a' + Random.Next(26))).ToString()).Retain(length - at);
                }

                _text = op.Apply(_text);
                if (_ot.ApplyClient(op))
                {
                    send = _ot.Outstanding;
                    _sentAt = Stopwatch.GetTimestamp();
                }
            }

            if (send is not null)
            {
                await SendAsync(send).ConfigureAwait(false);
            }
        }

        /// <summary>Handles a frame; returns the submit-to-own-op latency (Stopwatch ticks) when one of ours committed.</summary>
        public long? OnInbound(in Inbound m, ConcurrentQueue<string> errors)
        {
            if (m.Kind == InboundKind.Error)
            {
                errors.Enqueue($"{Client.Channel}: error frame {m.Error}");
                return null;
            }

            if (m.Kind != InboundKind.TextOp)
            {
                return null;
            }

            OtClient.Submit? next = null;
            long? latency = null;
            lock (_gate)
            {
                if (m.Rev != _ot.Revision + 1)
                {
                    errors.Enqueue($"{Client.Channel}: revision {m.Rev} after {_ot.Revision}");
                }

                if (_ot.Outstanding is { } outstanding && outstanding.Id == m.Id)
                {
                    latency = Stopwatch.GetTimestamp() - _sentAt;
                    next = _ot.ServerAck();
                    if (next is not null)
                    {
                        _sentAt = Stopwatch.GetTimestamp();
                    }
                }
                else
                {
                    _text = _ot.ApplyServer(m.Op!).Apply(_text);
                }
            }

            if (next is not null)
            {
                // From the receive loop: ClientWebSocket allows one send at a time, so serialize with the typist.
                _ = SendAsync(next);
            }

            return latency;
        }

        private readonly SemaphoreSlim _sending = new(1, 1);

        private async Task SendAsync(OtClient.Submit submit)
        {
            var frame = "{\"t\":\"submit\",\"c\":\"" + prefix + "\",\"ch\":\"" + Client.Channel + "\",\"id\":\"" + submit.Id + "\",\"rev\":" + submit.BaseRevision + ",\"op\":" + submit.Operation.ToJson() + "}";
            await _sending.WaitAsync().ConfigureAwait(false);
            try
            {
                await Client.SendTextAsync(frame, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                // the run is ending
            }
            finally
            {
                _sending.Release();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reconnect catch-up (KefuSync only): a client last saw revision 0, N messages are committed meanwhile (and the first
    // 100 resent, which must append nothing), it reconnects and subscribes from 0: time from `sub` to `subbed` with N
    // consecutive ops received.
    public static async Task<RunResult> CatchUpAsync(ServerProcess server, Sizes sizes)
    {
        var result = new RunResult();
        var writer = await BenchClient.ConnectAsync(ServerKind.Kefu, server.Address, "catchup", agent: true, CancellationToken.None).ConfigureAwait(false);
        var n = sizes.CatchUpMessages;
        var acked = 0;
        using var window = new SemaphoreSlim(256, 256);
        using var stop = new CancellationTokenSource();
        var receiving = writer.ReceiveLoopAsync(m =>
        {
            if (m.Kind == InboundKind.Ack)
            {
                Interlocked.Increment(ref acked);
                window.Release();
            }
        }, stop.Token);
        for (var i = 1; i <= n; i++)
        {
            await window.WaitAsync().ConfigureAwait(false);
            await writer.SendAsync(writer.EncodeMessage(BenchClient.MessageText(i, 0, sizes.Padding), "w-" + i), CancellationToken.None).ConfigureAwait(false);
        }

        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (Volatile.Read(ref acked) < n && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        // Resends of committed messages, as every outbox sends after a reconnect whose acks were lost: each is acked and
        // appends nothing (the catch-up below must still end at revision n), and the server logs no failure for them.
        var resends = Math.Min(n, 100);
        for (var i = 1; i <= resends; i++)
        {
            await window.WaitAsync().ConfigureAwait(false);
            await writer.SendAsync(writer.EncodeMessage(BenchClient.MessageText(i, 0, sizes.Padding), "w-" + i), CancellationToken.None).ConfigureAwait(false);
        }

        while (Volatile.Read(ref acked) < n + resends && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        if (Volatile.Read(ref acked) < n + resends)
        {
            result.Failures.Add($"catch-up: {Volatile.Read(ref acked)} of {n} messages and {resends} resends acknowledged");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        writer.Abort();

        var samples = new List<double>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var reader = await BenchClient.ConnectAsync(ServerKind.Kefu, server.Address, "catchup", agent: true, CancellationToken.None, subscribe: false).ConfigureAwait(false);
            long last = 0;
            var ok = true;
            var t0 = Stopwatch.GetTimestamp();
            try
            {
                await reader.SubscribeAsync(0, CancellationToken.None, m =>
                {
                    if (m.Kind == InboundKind.Message)
                    {
                        ok &= m.Rev == last + 1;
                        last = m.Rev;
                    }
                }).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or OperationCanceledException or ClosedException)
            {
                result.Failures.Add($"catch-up: connection ended after {last} of {n} ops (close status {(int?)reader.CloseStatus})");
                reader.Abort();
                break;
            }

            var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            reader.Abort();
            if (!ok || last != n)
            {
                result.Failures.Add($"catch-up: received up to {last} of {n} ops, consecutive={ok}");
                break;
            }

            samples.Add(ms);
        }

        if (samples.Count > 0)
        {
            result.Metrics["catchup_ms"] = samples.Min(); // best of 3 on one server; the table shows the median over runs
        }

        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Slow consumer: one member of a room stops reading; the sender keeps sending large messages (bounded by a window of
    // un-echoed messages and a deadline). Server RSS is sampled; at the end we see whether the slow member was closed.
    public static async Task<RunResult> SlowConsumerAsync(ServerProcess server, ServerKind kind, Sizes sizes)
    {
        var result = new RunResult();
        var rssBefore = await server.FullGcRssAsync().ConfigureAwait(false);
        var clients = await ConnectManyAsync(kind, server.Address, 4, 4, _ => ("slow", true)).ConfigureAwait(false);
        var sender = clients[0];
        var healthy = new[] { clients[1], clients[2] };
        var slow = clients[3]; // never reads until the end
        var received = new long[3];
        using var window = new SemaphoreSlim(64, 64);
        using var stop = new CancellationTokenSource();
        var loops = new List<Task>
        {
            sender.ReceiveLoopAsync(m =>
            {
                if (m.Kind == InboundKind.Message)
                {
                    received[0] = m.Seq;
                    window.Release();
                }
            }, stop.Token),
        };
        for (var h = 0; h < healthy.Length; h++)
        {
            var index = h + 1;
            loops.Add(healthy[h].ReceiveLoopAsync(m =>
            {
                if (m.Kind == InboundKind.Message)
                {
                    received[index] = m.Seq;
                }
            }, stop.Token));
        }

        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, server.RssKiB());
                await Task.Delay(50).ConfigureAwait(false);
            }
        });

        var sendDeadline = Stopwatch.GetTimestamp() + (20 * Stopwatch.Frequency);
        var sent = 0;
        var stalled = false;
        for (var i = 1; i <= sizes.SlowMessages; i++)
        {
            if (!await window.WaitAsync(sizes.SlowStallTimeout).ConfigureAwait(false) || Stopwatch.GetTimestamp() > sendDeadline)
            {
                stalled = true;
                break;
            }

            await sender.SendAsync(sender.EncodeMessage(BenchClient.MessageText(i, 0, sizes.SlowPadding), "s-" + i), CancellationToken.None).ConfigureAwait(false);
            sent = i;
        }

        var drain = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while ((received[1] < sent || received[2] < sent) && Stopwatch.GetTimestamp() < drain)
        {
            await Task.Delay(20).ConfigureAwait(false);
        }

        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);

        // Now the slow member reads what it can: it should meet a close (4503) rather than every message.
        long slowGot = 0;
        using var slowStop = new CancellationTokenSource(sizes.SlowDrainTimeout);
        await slow.ReceiveLoopAsync(m =>
        {
            if (m.Kind == InboundKind.Message)
            {
                slowGot = m.Seq;
            }

            if (slowGot == sent)
            {
                slowStop.Cancel();
            }
        }, slowStop.Token).ConfigureAwait(false);
        var closeCode = slow.CloseStatus is { } status ? (int)status : 0;

        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var client in clients)
        {
            client.Abort();
        }

        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var sentMb = sent * (sizes.SlowPadding + 100) / (1024.0 * 1024.0);
        result.Metrics["sent_mb"] = sentMb;
        result.Metrics["peak_rss_growth_mb"] = (peak - rssBefore) / 1024.0;
        result.Metrics["slow_close_code"] = closeCode;
        result.Metrics["slow_received"] = slowGot;
        result.Metrics["sender_stalled"] = stalled ? 1 : 0;
        result.Metrics["healthy_received_pct"] = sent == 0 ? 0 : Math.Min(received[1], received[2]) * 100.0 / sent;
        if (received[1] != sent || received[2] != sent)
        {
            result.Failures.Add($"slow consumer: healthy members received {received[1]} and {received[2]} of {sent} (loss)");
        }

        if (kind == ServerKind.Kefu && closeCode != 4503)
        {
            result.Failures.Add($"slow consumer: KefuSync closed the slow member with {closeCode}, expected 4503 (it got {slowGot} of {sent})");
        }

        return result;
    }

    // ---------------------------------------------------------------------------------------------------------------
    private static Task<BenchClient[]> ConnectManyAsync(ServerKind kind, Uri server, int count, int parallel, Func<int, (string Room, bool Agent)> of)
        => ConnectManyAsync(kind, _ => server, count, parallel, of);

    /// <summary>
    /// Runs the load for <see cref="Sizes.Warmup"/>, then on, one second at a time, until the servers' JIT is quiet
    /// (under 5 ms of compilation in the last second, summed over the nodes) or <see cref="Sizes.MaxWarmup"/> has passed.
    /// A fixed 5 s was not enough at saturation: with both cores busy, tiered compilation of KefuSync's hot methods
    /// was still running in the window (578 methods and 815 ms of JIT time in a 4 s window; raw: 28 methods, 45 ms),
    /// which measured the JIT rather than the server. Returns the seconds spent warming up.
    /// </summary>
    private static async Task<double> WarmUpAsync(ServerProcess[] nodes, Sizes sizes)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(sizes.Warmup).ConfigureAwait(false);
        var last = await CountersAsync(nodes).ConfigureAwait(false);
        while (Stopwatch.GetElapsedTime(started) < sizes.MaxWarmup)
        {
            await Task.Delay(1000).ConfigureAwait(false);
            var now = await CountersAsync(nodes).ConfigureAwait(false);
            var jitMs = (now - last).JitMs;
            last = now;
            if (jitMs < 5)
            {
                break;
            }
        }

        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// With KEFU_BENCH_ALLOCS=1 (inherited by the server processes), takes each node's allocation profile since the
    /// last call: at the start of a window to begin afresh, at its end to print the window's table to stderr.
    /// </summary>
    private static async Task AllocationsAsync(ServerProcess[] nodes, bool print)
    {
        if (Environment.GetEnvironmentVariable("KEFU_BENCH_ALLOCS") != "1")
        {
            return;
        }

        foreach (var node in nodes)
        {
            var report = await node.AllocationsAsync().ConfigureAwait(false);
            if (print)
            {
                await System.Console.Error.WriteLineAsync($"allocations in the window, node {node.Pid}:\n{report}").ConfigureAwait(false);
            }
        }
    }

    /// <summary>The runtime counters summed over every node.</summary>
    private static async Task<RuntimeCounters> CountersAsync(ServerProcess[] nodes)
    {
        var sum = default(RuntimeCounters);
        foreach (var node in nodes)
        {
            sum += await node.CountersAsync().ConfigureAwait(false);
        }

        return sum;
    }

    private static async Task<BenchClient[]> ConnectManyAsync(ServerKind kind, Func<int, Uri> server, int count, int parallel, Func<int, (string Room, bool Agent)> of)
    {
        var clients = new BenchClient[count];
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(parallel, count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var (room, agent) = of(i);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                clients[i] = await BenchClient.ConnectAsync(kind, server(i), room, agent, timeout.Token).ConfigureAwait(false);
            }
        }));
        await Task.WhenAll(workers).ConfigureAwait(false);
        return clients;
    }

    /// <summary>Stopwatch-tick samples in a preallocated array (lock-free), percentiles at the end.</summary>
    private sealed class LatencyRecorder(int capacity)
    {
        private readonly long[] _samples = new long[capacity];
        private int _count;

        public void Add(long ticks)
        {
            var i = Interlocked.Increment(ref _count) - 1;
            if (i < _samples.Length)
            {
                _samples[i] = ticks;
            }
        }

        public double Percentile(double p)
        {
            var n = Math.Min(_count, _samples.Length);
            if (n == 0)
            {
                return double.NaN;
            }

            var copy = _samples.AsSpan(0, n).ToArray();
            Array.Sort(copy);
            return copy[Math.Min(n - 1, (int)Math.Ceiling(p * n) - 1)];
        }
    }
}
