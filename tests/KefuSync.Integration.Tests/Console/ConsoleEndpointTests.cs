using System.Net;
using System.Text.RegularExpressions;
using KefuSync.Protocol;

namespace KefuSync.Integration.Tests.Console;

public sealed partial class ConsoleEndpointTests
{
    private static HttpRequestMessage Get(string path, string? user = null, string? role = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
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

    [Fact]
    public async Task Console_Challenges_WhenAnonymous()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/kefu/console"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("kefu-console.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_RedirectsToTheHostsCookieLogin_WhenAnonymous()
    {
        await using var host = await ConsoleTestHost.StartAsync(cookieLogin: true, pathBase: "/shop");
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/shop/kefu/console"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith("http://localhost/shop/account/login", location, StringComparison.Ordinal);
        Assert.Contains("ReturnUrl=%2Fshop%2Fkefu%2Fconsole", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_Is403_ForAnAuthenticatedNonAgent()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/kefu/console", user: "mallory"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("kefu-console.js", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_Is403_NamingTheSetting_WhenNoAgentPolicyIsConfigured()
    {
        await using var host = await ConsoleTestHost.StartAsync(agentPolicy: "");
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/kefu/console", user: "alice", role: "agent"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("KefuSync:AgentPolicy", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_Serves_TheShellWithScriptAndCsp_ToAnAgent()
    {
        await using var host = await ConsoleTestHost.StartAsync();
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/kefu/console", user: "alice", role: "agent"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        var version = ProtocolConstants.ServerVersion;
        var script = ScriptTag().Match(html);
        Assert.True(script.Success, html);
        Assert.Contains($"src=\"/kefu/assets/{version}/kefu-console.js\"", script.Value, StringComparison.Ordinal);
        Assert.Contains("data-kefu-endpoint=\"/kefu\"", script.Value, StringComparison.Ordinal);
        Assert.Contains($"data-kefu-version=\"{version}\"", script.Value, StringComparison.Ordinal);
        Assert.Contains($"<link rel=\"stylesheet\" href=\"/kefu/assets/{version}/kefu-console.css\">", html, StringComparison.Ordinal);

        // CSP-safe: no inline script, no inline style, no style attribute
        Assert.Equal(1, ScriptTag().Count(html));
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws://localhost wss://localhost; img-src 'self' data:", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("ws: ", csp, StringComparison.Ordinal); // sockets to this host only, never to any host
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task Console_BuildsLinksFromPathBase()
    {
        await using var host = await ConsoleTestHost.StartAsync(pathBase: "/shop");
        using var client = host.CreateClient();
        using var response = await client.SendAsync(Get("/shop/kefu/console", user: "alice", role: "agent"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var version = ProtocolConstants.ServerVersion;
        Assert.Contains($"src=\"/shop/kefu/assets/{version}/kefu-console.js\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/shop/kefu/assets/{version}/kefu-console.css\"", html, StringComparison.Ordinal);
        Assert.Contains("data-kefu-endpoint=\"/shop/kefu\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleAssets_AreServed_AtTheLinkedUrls()
    {
        await using var host = await ConsoleTestHost.StartAsync(pathBase: "/shop");
        using var client = host.CreateClient();
        var version = ProtocolConstants.ServerVersion;
        foreach (var (file, type) in new[] { ("kefu-console.js", "javascript"), ("kefu-console.css", "css") })
        {
            using var response = await client.SendAsync(Get($"/shop/kefu/assets/{version}/{file}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(type, response.Content.Headers.ContentType!.MediaType!, StringComparison.Ordinal);
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, file);
        }
    }

    [GeneratedRegex("<script[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptTag();
}
