using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleSecurityTests(ConsoleBrowserFixture browser)
{
    /// <summary>Opens a socket from the page and runs a script of frames; returns the frames received and the close code.</summary>
    private const string SocketScript = """
        async (frames) => {
          const ws = new WebSocket(new URL('/kefu/ws', location.href).href.replace(/^http/, 'ws'));
          const got = [];
          let code = 0;
          await new Promise((resolve) => {
            // the hello first; the rest once welcomed (anything else before `welcome` is `not_ready`)
            ws.onopen = () => ws.send(JSON.stringify(frames[0]));
            ws.onmessage = (e) => {
              const f = JSON.parse(e.data);
              got.push(f);
              if (f.t === 'welcome') for (const x of frames.slice(1)) ws.send(JSON.stringify(x));
            };
            ws.onclose = (e) => { code = e.code; resolve(); };
            setTimeout(resolve, 2500);
          });
          if (ws.readyState === 1) ws.close();
          return JSON.stringify({ code, got });
        }
        """;

    [Fact]
    public async Task NonAgent_Gets403OnTheConsole_AndForbiddenOnAgentChannels_EvenWithHandCraftedFrames()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var context = await host.NewContextAsync(browser.Browser);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/test/login?user=mallory");
        var console = await page.GotoAsync("/kefu/console");
        Assert.Equal(403, console!.Status);
        Assert.DoesNotContain("kefu-console.js", await console.TextAsync(), StringComparison.Ordinal);

        // anonymous: the host's login takes over
        var anonymous = await (await host.NewContextAsync(browser.Browser)).NewPageAsync();
        var challenged = await anonymous.GotoAsync("/kefu/console");
        Assert.EndsWith("/test/login-page?ReturnUrl=%2Fkefu%2Fconsole", anonymous.Url, StringComparison.Ordinal);
        Assert.Equal("login page", await challenged!.TextAsync());

        await page.GotoAsync("/test/login-page");

        // hello as agent: refused with 4403
        var asAgent = JsonDocument.Parse(await page.EvaluateAsync<string>(SocketScript, new object[] { new { t = "hello", v = 1, client = "0.1.0", agent = true } })).RootElement;
        Assert.Equal(4403, asAgent.GetProperty("code").GetInt32());

        // as a visitor, every agent-only channel and frame is refused with `forbidden`
        var frames = new object[]
        {
            new { t = "hello", v = 1, client = "0.1.0" },
            new { t = "list", f = "all", q = "l1" },
            new { t = "sub", c = "tab1", ch = "inbox", rev = 0 },
            new { t = "sub", c = "tab1", ch = "draft:someone", rev = 0 },
            new { t = "sub", c = "tab1", ch = "note:someone", rev = 0 },
            new { t = "sub", c = "tab1", ch = "canned:_index", rev = 0 },
            new { t = "submit", c = "tab1", ch = "canned:returns", id = "x-1", rev = 0, op = new object[] { "pwned" } },
            new { t = "submit", c = "tab1", ch = "conv:someone-else", id = "x-2", rev = 0, op = new { k = "msg", text = "hi" } },
            new { t = "history", ch = "note:someone", rev = 10, n = 10, q = "h1" },
        };
        var visitor = JsonDocument.Parse(await page.EvaluateAsync<string>(SocketScript, frames)).RootElement;
        var got = visitor.GetProperty("got").EnumerateArray().ToList();
        Assert.Equal("welcome", got[0].GetProperty("t").GetString());
        Assert.Equal("visitor", got[0].GetProperty("me").GetProperty("role").GetString());
        var errors = got.Where(f => f.GetProperty("t").GetString() == "error").ToList();
        Assert.Equal(frames.Length - 1, errors.Count);
        Assert.All(errors, e => Assert.Equal("forbidden", e.GetProperty("code").GetString()));
        Assert.DoesNotContain(got, f => f.GetProperty("t").GetString() is "list" or "subbed" or "snapshot" or "ack" or "history");
        Assert.Equal("", (await host.Kefu.GetDocumentAsync("canned:returns")).Text);
    }
}
