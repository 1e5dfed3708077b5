using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>
/// Runs every case of <c>tests/vectors/protocol.json</c> over a real socket (Kestrel on loopback), on the WebSocket and on
/// the SSE + POST fallback: the frames of the case, then the documented answer, exactly (tests/vectors/README.md).
/// </summary>
public sealed class ProtocolVectorTests(VectorHosts hosts) : IClassFixture<VectorHosts>
{
    private const string Sentinel = "__end";
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] ClientFrameTypes = ["hello", "sub", "unsub", "submit", "presence", "history", "bye", "list", "ping"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var vector in ProtocolVector.All)
        {
            foreach (var transport in vector.Transports)
            {
                data.Add(vector.Name, transport);
            }
        }

        return data;
    }

    [Fact]
    public void Vectors_HaveFormat1_UniqueNames_AndCoverEveryClientFrame_WithMissingWrongTypedAndOutOfRangeMembers()
    {
        Assert.Equal(1, ProtocolVector.Root.GetProperty("format").GetInt32());
        var vectors = ProtocolVector.All.ToList();
        Assert.Equal(vectors.Count, vectors.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(vectors, v => Assert.Contains(v.Frame, ClientFrameTypes.Append("any")));
        Assert.All(vectors, v => Assert.Contains(v.Checks, new[] { "ok", "missing", "type", "range", "access", "state" }));
        Assert.All(vectors, v => Assert.All(v.Transports, t => Assert.Contains(t, new[] { "ws", "fallback" })));
        foreach (var frame in ClientFrameTypes)
        {
            var checks = vectors.Where(v => v.Frame == frame).Select(v => v.Checks).ToHashSet();
            // Every frame type: accepted as documented, and each kind of bad member it has.
            Assert.True(checks.Contains("ok") || frame == "ping" && checks.Contains("range"), $"'{frame}' has no accepted case");
            Assert.True(checks.Contains("type"), $"'{frame}' has no wrong-typed member case");
            Assert.True(checks.Contains("range"), $"'{frame}' has no out-of-range member case");
            if (frame != "ping" && frame != "list")
            {
                Assert.True(checks.Contains("missing"), $"'{frame}' has no missing member case");
            }
        }

        // Each deviation of issue 12 that is visible on the wire is pinned here.
        foreach (var issue in new[] { "A", "B", "C", "D", "E", "F" })
        {
            Assert.Contains(vectors, v => v.Issue == issue);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Vector_GetsTheDocumentedAnswer(string name, string transport)
    {
        var vector = ProtocolVector.All.Single(v => v.Name == name);
        var host = await hosts.GetAsync(vector.Server);
        var agent = vector.As == "agent";
        await using var connection = transport == "ws"
            ? (IVectorConnection)await WebSocketVectorConnection.OpenAsync(host, agent)
            : FallbackVectorConnection.Open(host, agent);
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["$key"] = "k" + Guid.NewGuid().ToString("N")[..16] };
        var log = new List<string>();

        if (vector.As != "none")
        {
            var hello = agent ? """{"t":"hello","v":1,"client":"vectors","agent":true}""" : """{"t":"hello","v":1,"client":"vectors"}""";
            await connection.SendAsync(Encoding.UTF8.GetBytes(hello));
            var welcome = await NextAsync(connection, log);
            Assert.True(welcome is { } w && w.GetProperty("t").GetString() == "welcome", $"{name}: no welcome: {string.Join(" | ", log)}");
            if (welcome!.Value.TryGetProperty("conv", out var conv))
            {
                values["$conv"] = conv.GetString()!;
            }
        }

        await RunSetupAsync(vector, connection, values, log);

        var http = new List<int>();
        foreach (var frame in vector.Send)
        {
            http.Add(await connection.SendAsync(ProtocolVector.Bytes(frame, values)));
        }

        if (transport == "fallback")
        {
            var expectedStatus = vector.Http(transport) ?? (vector.As == "none" && http.Count == 1 ? 200 : 202);
            Assert.True(http[0] == expectedStatus, $"{name}: the fallback answered HTTP {http[0]}, expected {expectedStatus}");
        }

        var expected = vector.Expect(transport).EnumerateArray().Select(e => ProtocolVector.Pattern(e, values)).ToList();
        var close = vector.Close(transport);
        if (close is { } code)
        {
            await ExpectUntilClosedAsync(vector, connection, expected, log);
            if (transport == "ws" && code.ValueKind == JsonValueKind.Number)
            {
                Assert.True(connection.CloseCode == code.GetInt32(), $"{name}: closed with {connection.CloseCode}, expected {code.GetInt32()}");
            }

            return;
        }

        // The sentinel proves both that nothing else was answered and that the connection is still usable. Before a
        // welcome only a hello may be sent (anything else closes with 4400), so there the sentinel is a hello.
        var welcomed = vector.As != "none" || expected.Any(e => e.GetProperty("t").GetString() == "welcome");
        await connection.SendAsync(Encoding.UTF8.GetBytes(welcomed ? $$"""{"t":"ping","q":"{{Sentinel}}"}""" : """{"t":"hello","v":1}"""));
        await ExpectThenSentinelAsync(vector, connection, expected, log, welcomed ? f => IsPong(f, Sentinel) : f => f.GetProperty("t").GetString() == "welcome");
    }

    private static async Task RunSetupAsync(ProtocolVector vector, IVectorConnection connection, Dictionary<string, string> values, List<string> log)
    {
        var any = false;
        foreach (var step in vector.Setup)
        {
            var (from, to) = step.TryGetProperty("repeat", out var repeat)
                ? (repeat.GetProperty("from").GetInt32(), repeat.GetProperty("to").GetInt32())
                : (0, 0);
            for (var i = from; i <= to; i++)
            {
                int? index = step.TryGetProperty("repeat", out _) ? i : null;
                any = true;
                await connection.SendAsync(ProtocolVector.Bytes(step.GetProperty("send"), values, index));
                if (step.TryGetProperty("await", out var awaited))
                {
                    var pattern = ProtocolVector.Pattern(awaited, values, index);
                    while (true)
                    {
                        var frame = await NextAsync(connection, log);
                        Assert.True(frame is not null, $"{vector.Name}: the connection closed during setup: {string.Join(" | ", log)}");
                        if (FrameMatch.Matches(pattern, frame.Value))
                        {
                            break;
                        }
                    }
                }
            }
        }

        if (any)
        {
            // Everything the setup caused has been answered once this pong arrives; it is not part of the case.
            await connection.SendAsync(Encoding.UTF8.GetBytes("""{"t":"ping","q":"__setup"}"""));
            while (await NextAsync(connection, log) is { } frame)
            {
                if (IsPong(frame, "__setup"))
                {
                    log.Clear();
                    return;
                }
            }

            Assert.Fail($"{vector.Name}: the connection closed during setup: {string.Join(" | ", log)}");
        }
    }

    /// <summary>The expected frames, in order and nothing else (bar ignored types), then the sentinel pong: the connection is still open.</summary>
    private static async Task ExpectThenSentinelAsync(ProtocolVector vector, IVectorConnection connection, List<JsonElement> expected, List<string> log, Func<JsonElement, bool> isSentinel)
    {
        var next = 0;
        var sentinel = false;
        while (!sentinel || next < expected.Count)
        {
            var frame = await NextAsync(connection, log);
            Assert.True(frame is not null, $"{vector.Name}: the connection closed; expected it to stay open. Frames: {string.Join(" | ", log)}");
            if (!sentinel && isSentinel(frame.Value))
            {
                sentinel = true;
                continue;
            }

            if (vector.Ignore.Contains(frame.Value.GetProperty("t").GetString()!))
            {
                continue;
            }

            Assert.True(next < expected.Count, $"{vector.Name}: unexpected frame {frame.Value.GetRawText()}. Frames: {string.Join(" | ", log)}");
            var why = FrameMatch.Why(expected[next], frame.Value, "frame " + next);
            Assert.True(why is null, $"{vector.Name}: {why}. Frames: {string.Join(" | ", log)}");
            next++;
        }
    }

    /// <summary>The expected frames, in order and nothing else (bar ignored types), then the connection closes.</summary>
    private static async Task ExpectUntilClosedAsync(ProtocolVector vector, IVectorConnection connection, List<JsonElement> expected, List<string> log)
    {
        var next = 0;
        while (await NextAsync(connection, log) is { } frame)
        {
            if (vector.Ignore.Contains(frame.GetProperty("t").GetString()!))
            {
                continue;
            }

            Assert.True(next < expected.Count, $"{vector.Name}: unexpected frame {frame.GetRawText()} before the close. Frames: {string.Join(" | ", log)}");
            var why = FrameMatch.Why(expected[next], frame, "frame " + next);
            Assert.True(why is null, $"{vector.Name}: {why}. Frames: {string.Join(" | ", log)}");
            next++;
        }

        Assert.True(next == expected.Count, $"{vector.Name}: closed after {next} of {expected.Count} expected frames. Frames: {string.Join(" | ", log)}");
    }

    private static async Task<JsonElement?> NextAsync(IVectorConnection connection, List<string> log)
    {
        JsonElement? frame;
        try
        {
            frame = await connection.ReceiveAsync(FrameTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException("No frame within " + FrameTimeout + ". Frames so far: " + string.Join(" | ", log));
        }

        log.Add(frame?.GetRawText() ?? "(closed)");
        return frame;
    }

    private static bool IsPong(JsonElement frame, string q)
        => frame.GetProperty("t").GetString() == "pong" && frame.TryGetProperty("q", out var value) && value.GetString() == q;
}
