using System.Net;
using System.Text;
using System.Text.Json;

namespace KefuSync.Integration.Tests.Infrastructure;

/// <summary>
/// The fallback transports spoken by hand over real HTTP (docs/protocol.md §1.2): connect, send, long poll and event
/// streams, against any node. <paramref name="user"/> logs in as that HTTP user (the test login's header).
/// </summary>
internal sealed class FallbackHttp(Uri node, string? user = null) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = node, Timeout = TimeSpan.FromSeconds(60) };

    public static string Hello => """{"t":"hello","v":1,"client":"test"}""";

    /// <summary>POST connect; returns the session id and the welcome.</summary>
    public async Task<(string Session, JsonElement Welcome)> ConnectAsync(string? hello = null)
    {
        using var response = await _http.SendAsync(Request(HttpMethod.Post, "/kefu/connect", hello ?? Hello));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (body.GetProperty("session").GetString()!, body.GetProperty("frames")[0]);
    }

    public async Task<HttpStatusCode> SendAsync(string session, params string[] frames)
    {
        using var response = await _http.SendAsync(Request(HttpMethod.Post, $"/kefu/send?session={Uri.EscapeDataString(session)}", "[" + string.Join(",", frames) + "]"));
        return response.StatusCode;
    }

    /// <summary>GET poll; the status, and for 200 the batch's <c>seq</c>, its frames and <c>end</c>.</summary>
    public async Task<Poll> PollAsync(string session, long? after)
    {
        var query = $"/kefu/poll?session={Uri.EscapeDataString(session)}" + (after is null ? "" : $"&after={after}");
        using var response = await _http.SendAsync(Request(HttpMethod.Get, query, null));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new Poll(response.StatusCode, 0, [], false);
        }

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return new Poll(
            response.StatusCode,
            body.GetProperty("seq").GetInt64(),
            [.. body.GetProperty("frames").EnumerateArray()],
            body.TryGetProperty("end", out var end) && end.GetBoolean());
    }

    /// <summary>Opens an event stream; null with the status when it was refused.</summary>
    public async Task<(HttpStatusCode Status, EventStream? Stream)> OpenEventsAsync(string session, long? lastEventId = null)
    {
        var request = Request(HttpMethod.Get, $"/kefu/sse?session={Uri.EscapeDataString(session)}", null);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var http = new HttpClient { BaseAddress = _http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            response.Dispose();
            http.Dispose();
            return (response.StatusCode, null);
        }

        return (HttpStatusCode.OK, new EventStream(http, response, new StreamReader(await response.Content.ReadAsStreamAsync())));
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        return request;
    }

    public void Dispose() => _http.Dispose();

    internal sealed record Poll(HttpStatusCode Status, long Seq, IReadOnlyList<JsonElement> Frames, bool End);

    /// <summary>One SSE response, read event by event (id and data).</summary>
    internal sealed class EventStream(HttpClient http, HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        /// <summary>The next event, or null when the stream ended.</summary>
        public async Task<(long Id, JsonElement Frame)?> NextAsync(TimeSpan? timeout = null)
        {
            using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            long id = -1;
            while (await reader.ReadLineAsync(cancel.Token) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    return (id, JsonDocument.Parse(line[6..]).RootElement.Clone());
                }
            }

            return null;
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            http.Dispose();
        }
    }
}
