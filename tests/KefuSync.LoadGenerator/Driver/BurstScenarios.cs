using System.Diagnostics;
using System.Net.WebSockets;

namespace KefuSync.LoadGenerator.Driver;

/// <summary>
/// The two recovery-shaped scenarios of issue 17: everyone reconnecting after a restart (<c>burst-connect</c>) and agents
/// opening one very long conversation (<c>long-room</c>). Both check what the clients receive (every missed op once, in
/// order; exactly the last <c>n</c>), as every scenario does.
/// </summary>
internal static class BurstScenarios
{
    /// <summary>
    /// <see cref="Sizes.BurstClients"/> clients in rooms of <see cref="Sizes.BurstMembers"/>, each having applied up to
    /// revision <see cref="Sizes.BurstSeen"/> of its room when the node went down, reconnect at once to a fresh node on the
    /// same store and catch up the <see cref="Sizes.BurstMissed"/> messages they missed: hello, sub from their revision, the
    /// replay, <c>subbed</c>. Reports the time until the last client is caught up and the node's peak RSS.
    /// </summary>
    public static async Task<RunResult> BurstConnectAsync(Func<Task<ServerProcess>> startNode, Sizes sizes)
    {
        var result = new RunResult();
        var rooms = Math.Max(1, sizes.BurstClients / sizes.BurstMembers);
        var total = sizes.BurstSeen + sizes.BurstMissed;
        using (var first = await startNode().ConfigureAwait(false))
        {
            // Every room's log before the restart, written by one agent per room (a window of acks per writer).
            var writes = new Task[rooms];
            for (var r = 0; r < rooms; r++)
            {
                writes[r] = WriteRoomAsync(first, "burst" + r, total, sizes.Padding, result);
            }

            await Task.WhenAll(writes).ConfigureAwait(false);
        }

        if (result.Failures.Count > 0)
        {
            return result;
        }

        using var node = await startNode().ConfigureAwait(false);
        var rssBefore = node.RssKiB();
        var cpuBefore = node.CpuSeconds();
        var started = Stopwatch.GetTimestamp();
        var finished = new double[rooms * sizes.BurstMembers];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var clients = new Task[finished.Length];
        for (var i = 0; i < clients.Length; i++)
        {
            var index = i;
            clients[i] = Task.Run(async () =>
            {
                BenchClient? client = null;
                try
                {
                    client = await BenchClient.ConnectAsync(ServerKind.Kefu, node.Address, "burst" + (index / sizes.BurstMembers), agent: true, deadline.Token, subscribe: false).ConfigureAwait(false);
                    long last = sizes.BurstSeen;
                    var ordered = true;
                    await client.SubscribeAsync(sizes.BurstSeen, deadline.Token, m =>
                    {
                        if (m.Kind == InboundKind.Message)
                        {
                            ordered &= m.Rev == last + 1;
                            last = m.Rev;
                        }
                    }).ConfigureAwait(false);
                    finished[index] = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    if (!ordered || last != total)
                    {
                        lock (result.Failures)
                        {
                            result.Failures.Add($"burst-connect: client {index} caught up to {last} of {total}{(ordered ? "" : ", out of order or twice")}");
                        }
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or OperationCanceledException or ClosedException)
                {
                    lock (result.Failures)
                    {
                        result.Failures.Add($"burst-connect: client {index} did not catch up: {ex.GetType().Name} {ex.Message}");
                    }
                }
                finally
                {
                    client?.Abort();
                }
            });
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Array.Sort(finished);
        result.Metrics["clients"] = finished.Length;
        result.Metrics["caught_up_s"] = elapsed;
        result.Metrics["p50_caught_up_s"] = finished[finished.Length / 2];
        result.Metrics["peak_rss_mb"] = node.PeakRssKiB() / 1024.0;
        result.Metrics["rss_growth_mb"] = (node.PeakRssKiB() - rssBefore) / 1024.0;
        result.Metrics["cpu_ms_per_client"] = (node.CpuSeconds() - cpuBefore) * 1000 / finished.Length;
        if (node.HasExited)
        {
            result.Failures.Add("burst-connect: the node exited during the burst");
        }

        return result;
    }

    /// <summary>
    /// One conversation with <see cref="Sizes.LongRoomMessages"/> messages; then <see cref="Sizes.LongRoomAgents"/> agents
    /// open it at once with <c>sub</c> <c>rev: 0, n: 50</c> (the console's first page). Reports the time to <c>subbed</c>
    /// (median and slowest) and the node's memory, and checks each agent got exactly the last 50.
    /// </summary>
    public static async Task<RunResult> LongRoomAsync(ServerProcess node, Sizes sizes)
    {
        const int Page = 50;
        var result = new RunResult();
        var messages = sizes.LongRoomMessages;
        await WriteRoomAsync(node, "long", messages, sizes.Padding, result).ConfigureAwait(false);
        if (result.Failures.Count > 0)
        {
            return result;
        }

        var rssLog = await node.FullGcRssAsync().ConfigureAwait(false);
        var agents = await Task.WhenAll(Enumerable.Range(0, sizes.LongRoomAgents).Select(_ =>
            BenchClient.ConnectAsync(ServerKind.Kefu, node.Address, "long", agent: true, CancellationToken.None, subscribe: false))).ConfigureAwait(false);
        var cpuBefore = node.CpuSeconds();
        var times = new double[agents.Length];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await Task.WhenAll(agents.Select(async (agent, index) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await agent.SendTextAsync("{\"t\":\"sub\",\"c\":\"b\",\"ch\":\"conv:long\",\"rev\":0,\"n\":" + Page + "}", deadline.Token).ConfigureAwait(false);
                var got = new List<long>();
                var snapshotAt = -1L;
                while (true)
                {
                    var frame = await agent.ReceiveRecordAsync(deadline.Token).ConfigureAwait(false);
                    var inbound = agent.Parse(frame.Span);
                    if (inbound.Kind == InboundKind.Subbed)
                    {
                        break;
                    }

                    if (inbound.Kind == InboundKind.Error)
                    {
                        throw new InvalidOperationException("sub failed: " + inbound.Error);
                    }

                    if (inbound.Kind == InboundKind.Snapshot)
                    {
                        snapshotAt = inbound.Rev;
                    }
                    else if (inbound.Kind == InboundKind.Message)
                    {
                        got.Add(inbound.Rev);
                    }
                }

                times[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var expected = Enumerable.Range(messages - Page + 1, Page).Select(r => (long)r);
                if (!got.SequenceEqual(expected) || snapshotAt != messages - Page)
                {
                    lock (result.Failures)
                    {
                        result.Failures.Add($"long-room: agent {index} got {got.Count} ops ({(got.Count > 0 ? got[0] + ".." + got[^1] : "none")}), snapshot at {snapshotAt}; expected {messages - Page + 1}..{messages} after a snapshot at {messages - Page}");
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or OperationCanceledException or ClosedException)
            {
                lock (result.Failures)
                {
                    result.Failures.Add($"long-room: agent {index}: {ex.GetType().Name} {ex.Message}");
                }
            }
        })).ConfigureAwait(false);
        Array.Sort(times);
        result.Metrics["messages"] = messages;
        result.Metrics["p50_subbed_ms"] = times[times.Length / 2];
        result.Metrics["max_subbed_ms"] = times[^1];
        result.Metrics["cpu_ms_per_sub"] = (node.CpuSeconds() - cpuBefore) * 1000 / agents.Length;
        result.Metrics["rss_with_log_mb"] = rssLog / 1024.0;
        result.Metrics["rss_after_subs_mb"] = node.RssKiB() / 1024.0;
        foreach (var agent in agents)
        {
            agent.Abort();
        }

        return result;
    }

    /// <summary>One agent writes <paramref name="count"/> messages into <paramref name="room"/> and waits for every ack.</summary>
    private static async Task WriteRoomAsync(ServerProcess node, string room, int count, int padding, RunResult result)
    {
        var writer = await BenchClient.ConnectAsync(ServerKind.Kefu, node.Address, room, agent: true, CancellationToken.None, subscribe: false).ConfigureAwait(false);
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
        for (var i = 1; i <= count; i++)
        {
            await window.WaitAsync().ConfigureAwait(false);
            await writer.SendAsync(writer.EncodeMessage(BenchClient.MessageText(i, 0, padding), $"{room}-{i}"), CancellationToken.None).ConfigureAwait(false);
        }

        var deadline = Stopwatch.GetTimestamp() + (120 * Stopwatch.Frequency);
        while (Volatile.Read(ref acked) < count && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        if (Volatile.Read(ref acked) < count)
        {
            lock (result.Failures)
            {
                result.Failures.Add($"{room}: {Volatile.Read(ref acked)} of {count} messages acknowledged");
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        writer.Abort();
        try
        {
            await receiving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ClosedException)
        {
            // the loop ends with the abort
        }
    }
}
