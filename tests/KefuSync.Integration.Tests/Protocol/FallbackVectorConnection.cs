using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using KefuSync.Integration.Tests.Infrastructure;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>
/// The vectors over the SSE + POST fallback (docs/protocol.md §1): the first frame goes to <c>connect</c>, whose reply
/// carries the first frames; every later frame is its own <c>send</c> (a one-element array); server frames arrive on
/// one <c>sse</c> stream. The connection is closed when the server ends the stream, or when <c>connect</c> made no session.
/// </summary>
internal sealed class FallbackVectorConnection : IVectorConnection
{
    private readonly HttpClient _http;
    private readonly Channel<JsonElement> _inbox = Channel.CreateUnbounded<JsonElement>();
    private readonly CancellationTokenSource _stop = new();
    private string? _session;
    private Task? _events;

    private FallbackVectorConnection(HttpClient http) => _http = http;

    public int? CloseCode => null;

    public static FallbackVectorConnection Open(KefuTestHost host, bool agent)
    {
        var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (agent)
        {
            http.DefaultRequestHeaders.Add("X-Test-User", "alice");
            http.DefaultRequestHeaders.Add("X-Test-Role", "agent");
        }

        return new FallbackVectorConnection(http);
    }

    public async Task<int> SendAsync(byte[] frame)
    {
        if (_session is null)
        {
            return await ConnectAsync(frame);
        }

        var body = new byte[frame.Length + 2];
        body[0] = (byte)'[';
        frame.CopyTo(body, 1);
        body[^1] = (byte)']';
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync($"/kefu/send?session={_session}", content);
        return (int)response.StatusCode;
    }

    public async Task<JsonElement?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _inbox.Reader.WaitToReadAsync(cts.Token) && _inbox.Reader.TryRead(out var frame) ? frame : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No frame arrived on the fallback session.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_events is not null)
        {
            await _events.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task<int> ConnectAsync(byte[] hello)
    {
        using var content = new ByteArrayContent(hello);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync("/kefu/connect", content);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length > 0)
        {
            using var json = JsonDocument.Parse(text);
            foreach (var frame in json.RootElement.GetProperty("frames").EnumerateArray())
            {
                _inbox.Writer.TryWrite(frame.Clone());
            }

            _session = json.RootElement.GetProperty("session").GetString();
        }

        if (_session is null)
        {
            _inbox.Writer.TryComplete(); // no session: the "connection" ended with the connect reply
        }
        else
        {
            _events = Task.Run(ReadEventsAsync);
        }

        return (int)response.StatusCode;
    }

    private async Task ReadEventsAsync()
    {
        try
        {
            using var stream = await _http.GetStreamAsync($"/kefu/sse?session={_session}", _stop.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    using var json = JsonDocument.Parse(line[6..]);
                    _inbox.Writer.TryWrite(json.RootElement.Clone());
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or IOException)
        {
            // Disposed, or the server dropped the stream: either way the session's frames end here.
            return;
        }
        finally
        {
            _inbox.Writer.TryComplete();
        }
    }
}
