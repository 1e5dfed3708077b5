using System.Net;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using KefuSync.Widget.Assets;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Hosting;

/// <summary>
/// MapKefuSync's endpoints take conventions the ASP.NET way: visitor endpoints stay anonymous whatever the host requires
/// elsewhere, the console takes the host's extra requirements, long-lived endpoints ignore the host's request timeout,
/// and a second mapping under another prefix is complete and links to itself.
/// </summary>
public sealed class EndpointConventionTests
{
    private static readonly string Version = WidgetVersion.Current;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static HttpRequestMessage As(HttpMethod method, string path, string? user = null, string? role = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        if (role is not null)
        {
            request.Headers.Add("X-Test-Role", role);
        }

        return request;
    }

    /// <summary>A visitor writes over the socket at <paramref name="visitorPath"/>; an agent on <paramref name="agentPath"/> sees it and answers; the visitor gets the answer.</summary>
    private static async Task ChatAsync(KefuTestHost host, string visitorPath = "/kefu/ws", string agentPath = "/kefu/ws")
    {
        await using var visitor = await host.ConnectAsync(path: visitorPath);
        var welcome = await visitor.HelloAsync();
        Assert.Equal("welcome", KefuTestClient.Type(welcome));
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        await visitor.SendAsync(new { t = "sub", c = "v", ch, rev = 0 });
        await visitor.WaitForTypeAsync("subbed");
        await visitor.SendAsync(new { t = "submit", c = "v", ch, id = "v-1", rev = 0, op = new { k = "msg", text = "hello from a visitor" } });
        Assert.Equal(1, (await visitor.WaitForTypeAsync("ack")).GetProperty("rev").GetInt64());

        await using var agent = await host.ConnectAsync(agent: "alice", path: agentPath);
        Assert.Equal("welcome", KefuTestClient.Type(await agent.HelloAsync(agent: true)));
        await agent.SendAsync(new { t = "sub", c = "a", ch, rev = 0 });
        var seen = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("rev").GetInt64() == 1);
        Assert.Equal("hello from a visitor", seen.GetProperty("op").GetProperty("text").GetString());
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 1, op = new { k = "msg", text = "an agent answers" } });
        var answer = await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("rev").GetInt64() == 2);
        Assert.Equal("an agent answers", answer.GetProperty("op").GetProperty("text").GetString());
    }

    /// <summary>The fallback's connect, event stream and send answer an anonymous visitor.</summary>
    private static async Task FallbackAnswersAsync(HttpClient http, string prefix = "/kefu")
    {
        using var connect = await http.PostAsync(prefix + "/connect", Json("{\"t\":\"hello\",\"v\":1,\"client\":\"test\"}"));
        Assert.Equal(HttpStatusCode.OK, connect.StatusCode);
        var session = JsonDocument.Parse(await connect.Content.ReadAsStringAsync()).RootElement.GetProperty("session").GetString();
        using var send = await http.PostAsync($"{prefix}/send?session={session}", Json("[{\"t\":\"ping\",\"q\":\"p\"}]"));
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        using var events = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{prefix}/sse?session={session}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, events.StatusCode);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Visitors_ConnectAndChat_UnderAFallbackPolicyThatRequiresLogin()
    {
        await using var host = await KefuTestHost.StartAsync(
            kestrel: true,
            services: s => s.Configure<AuthorizationOptions>(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()),
            map: app =>
            {
                app.MapKefuSync();
                app.MapGet("/private", () => "members only");
            });
        using var http = host.CreateHttpClient();

        // The policy is real: the host's own page is closed to an anonymous request.
        using (var closed = await http.GetAsync("/private"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
        }

        // Every visitor endpoint answers the anonymous visitor.
        using (var script = await http.GetAsync($"/kefu/assets/{Version}/kefu-widget.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }

        using (var chatPage = await http.GetAsync("/kefu/chat"))
        {
            Assert.Equal(HttpStatusCode.OK, chatPage.StatusCode);
        }

        await FallbackAnswersAsync(http);
        await ChatAsync(host);

        // The console still requires the agent policy, and admits an agent.
        using (var anonymous = await http.GetAsync("/kefu/console"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using var agent = await http.SendAsync(As(HttpMethod.Get, "/kefu/console", "alice", "agent"));
        Assert.Equal(HttpStatusCode.OK, agent.StatusCode);
    }

    [Fact]
    public async Task RequireAuthorization_OnTheConsole_AddsToTheAgentPolicy_AndLeavesVisitorsAlone()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true, map: app =>
            app.MapKefuSync().Console.RequireAuthorization(p => p.RequireUserName("alice")));
        using var http = host.CreateHttpClient();

        using (var alice = await http.SendAsync(As(HttpMethod.Get, "/kefu/console", "alice", "agent")))
        {
            Assert.Equal(HttpStatusCode.OK, alice.StatusCode);
        }

        // bob passes the agent policy but not the host's extra requirement.
        using (var bob = await http.SendAsync(As(HttpMethod.Get, "/kefu/console", "bob", "agent")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
            Assert.DoesNotContain("kefu-console.js", await bob.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var script = await http.GetAsync($"/kefu/assets/{Version}/kefu-widget.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }

        await FallbackAnswersAsync(http);
        await ChatAsync(host);
    }

    [Fact]
    public async Task RequireAuthorization_OnEveryEndpoint_LocksTheConsole_ButNeverTheVisitors()
    {
        await using var host = await KefuTestHost.StartAsync(kestrel: true, map: app => app.MapKefuSync().RequireAuthorization(p => p.RequireUserName("alice")));
        using var http = host.CreateHttpClient();

        using (var bob = await http.SendAsync(As(HttpMethod.Get, "/kefu/console", "bob", "agent")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
        }

        using (var chatPage = await http.GetAsync("/kefu/chat"))
        {
            Assert.Equal(HttpStatusCode.OK, chatPage.StatusCode);
        }

        await FallbackAnswersAsync(http);
        await ChatAsync(host);
    }

    [Fact]
    public async Task SocketAndEventStream_OutliveTheHostsDefaultRequestTimeout()
    {
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var host = await KefuTestHost.StartAsync(
            kestrel: true,
            services: s => s.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy { Timeout = timeout }),
            map: app =>
            {
                app.UseRequestTimeouts();
                app.MapKefuSync();
                app.MapGet("/slow", async (CancellationToken aborted) =>
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), aborted);
                    return "never";
                });
            });
        using var http = host.CreateHttpClient();

        // The host's policy is real: an ordinary endpoint is cut off.
        using (var slow = await http.GetAsync("/slow"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, slow.StatusCode);
        }

        await using var socket = await host.ConnectAsync();
        Assert.Equal("welcome", KefuTestClient.Type(await socket.HelloAsync()));

        using var connect = await http.PostAsync("/kefu/connect", Json("{\"t\":\"hello\",\"v\":1,\"client\":\"test\"}"));
        var session = JsonDocument.Parse(await connect.Content.ReadAsStringAsync()).RootElement.GetProperty("session").GetString();
        using var events = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        using var stream = await events.GetStreamAsync($"/kefu/sse?session={session}");
        using var reader = new StreamReader(stream);

        // Well past the timeout (several times over), both long-lived requests are still open and answer.
        await Task.Delay(timeout * 5);
        await socket.SendAsync(new { t = "ping", q = "late-ws" });
        Assert.Equal("late-ws", (await socket.WaitForTypeAsync("pong")).GetProperty("q").GetString());

        using (var send = await http.PostAsync($"/kefu/send?session={session}", Json("[{\"t\":\"ping\",\"q\":\"late-sse\"}]")))
        {
            Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        }

        using var wait = new CancellationTokenSource(KefuTestClient.DefaultTimeout);
        string? pong = null;
        while (pong is null)
        {
            var line = await reader.ReadLineAsync(wait.Token);
            Assert.True(line is not null, "The event stream ended: the request timeout cut it.");
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"pong\"", StringComparison.Ordinal))
            {
                pong = line;
            }
        }

        Assert.Contains("late-sse", pong, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoMappings_UnderTwoPrefixes_EachServeAndLinkToThemselves_UnderThePathBase()
    {
        await using var host = await KefuTestHost.StartAsync(
            kestrel: true,
            pipeline: app =>
            {
                app.UsePathBase("/shop");
                app.UseRouting();
            },
            map: app =>
            {
                app.MapKefuSync();
                app.MapKefuSync("/support");
                app.MapGet("/page", (HttpContext context) => Results.Content(context.KefuWidgetHtml(), "text/html"));
            });
        using var http = host.CreateHttpClient();

        foreach (var prefix in new[] { "/kefu", "/support" })
        {
            var root = "/shop" + prefix;
            var chatPage = await http.GetStringAsync(root + "/chat");
            Assert.Contains($"src=\"{root}/assets/{Version}/kefu-widget.js\"", chatPage, StringComparison.Ordinal);
            Assert.Contains($"data-kefu-endpoint=\"{root}\"", chatPage, StringComparison.Ordinal);

            using (var script = await http.GetAsync($"{root}/assets/{Version}/kefu-widget.js"))
            {
                Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            }

            using (var old = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress }.GetAsync($"{root}/assets/0.0.0-old/kefu-widget.js"))
            {
                Assert.Equal(HttpStatusCode.Redirect, old.StatusCode);
                Assert.Equal($"{root}/assets/{Version}/kefu-widget.js", old.Headers.Location!.OriginalString);
            }

            using var console = await http.SendAsync(As(HttpMethod.Get, root + "/console", "alice", "agent"));
            Assert.Equal(HttpStatusCode.OK, console.StatusCode);
            Assert.Contains($"data-kefu-endpoint=\"{root}\"", await console.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            await FallbackAnswersAsync(http, root);
        }

        // One engine behind both: a visitor on one prefix and an agent on the other talk to each other.
        await ChatAsync(host, visitorPath: "/shop/support/ws", agentPath: "/shop/kefu/ws");

        // The widget on the host's own pages links to the first mapping.
        var page = await http.GetStringAsync("/shop/page");
        Assert.Contains($"src=\"/shop/kefu/assets/{Version}/kefu-widget.js\"", page, StringComparison.Ordinal);
    }
}
