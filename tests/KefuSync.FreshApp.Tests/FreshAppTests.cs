using System.IO.Compression;
using System.Net.WebSockets;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using KefuSync.Tests.Shared;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.FreshApp.Tests;

/// <summary>
/// KefuSync as a new user meets it: installed from its packages into apps KefuSync did not write, set up with the
/// README's lines, and used in Chromium by a visitor and an agent.
/// </summary>
[Collection(FreshAppsCollection.Name)]
public sealed class FreshAppTests(FreshAppsFixture fixture)
{
    [Fact]
    public void The_five_packages_carry_their_metadata_dependencies_and_the_widget_assets()
    {
        foreach (var id in FreshAppsFixture.PackageIds)
        {
            Assert.True(File.Exists(fixture.Nupkg(id)), $"{id} was not packed: {string.Join(", ", Directory.GetFiles(fixture.FeedDir).Select(Path.GetFileName))}");
            var metadata = fixture.Nuspec(id).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Meta(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
            Assert.Equal(id, Meta("id"));
            Assert.False(string.IsNullOrWhiteSpace(Meta("description")), $"{id} has no description");
            Assert.False(string.IsNullOrWhiteSpace(Meta("authors")), $"{id} has no authors");
            Assert.Equal("MIT", Meta("license"));
            Assert.False(string.IsNullOrWhiteSpace(Meta("projectUrl")), $"{id} has no project URL");

            using var zip = ZipFile.OpenRead(fixture.Nupkg(id));
            Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.dll");
            Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.xml"); // IntelliSense docs
        }

        // KefuSync.AspNetCore brings the widget (the tag helper) and the README along: one package to add.
        Assert.Contains(("KefuSync.Widget", fixture.Version), Dependencies("KefuSync.AspNetCore"));
        Assert.Equal("README.md", fixture.Nuspec("KefuSync.AspNetCore").Descendants().Single(e => e.Name.LocalName == "readme").Value);
        Assert.Contains(("KefuSync.AspNetCore", fixture.Version), Dependencies("KefuSync.Redis"));
        Assert.Contains(("KefuSync.AspNetCore", fixture.Version), Dependencies("KefuSync.EntityFrameworkCore"));
        // The specification package brings the core it specifies and the two xunit parts it is written with, no runner.
        Assert.Contains(("KefuSync.AspNetCore", fixture.Version), Dependencies("KefuSync.Testing"));
        Assert.Contains(("xunit.assert", "2.9.3"), Dependencies("KefuSync.Testing"));
        Assert.Contains(("xunit.extensibility.core", "2.9.3"), Dependencies("KefuSync.Testing"));
        Assert.DoesNotContain(Dependencies("KefuSync.Testing"), d => d.Id.StartsWith("xunit.runner", StringComparison.Ordinal));

        // The front end is inside the widget's dll, as embedded resources (served by MapKefuSync, nothing in wwwroot).
        using (var zip = ZipFile.OpenRead(fixture.Nupkg("KefuSync.Widget")))
        {
            using var dll = new MemoryStream();
            using (var stream = zip.GetEntry("lib/net10.0/KefuSync.Widget.dll")!.Open())
            {
                stream.CopyTo(dll);
            }

            dll.Position = 0;
            using var pe = new PEReader(dll);
            var reader = pe.GetMetadataReader();
            var resources = reader.ManifestResources.Select(h => reader.GetString(reader.GetManifestResource(h).Name)).ToList();
            foreach (var asset in new[] { "kefu/kefu-widget.js", "kefu/kefu-widget.css", "kefu/kefu-console.js", "kefu/kefu-console.css" })
            {
                Assert.True(resources.Contains(asset), $"KefuSync.Widget.dll in the package lacks the embedded resource {asset}; it has: {string.Join(", ", resources)}");
            }

            Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("contentFiles/", StringComparison.Ordinal) || e.FullName.StartsWith("content/", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The third-party store of samples/ThirdPartyStore, built the way its author would: from the KefuSync.AspNetCore
    /// and KefuSync.Testing packages only (no project reference, no InternalsVisibleTo), runs the whole store
    /// specification and passes it.
    /// </summary>
    [Fact]
    public async Task A_third_party_store_built_from_the_packages_passes_the_store_specification()
    {
        var dir = Path.Combine(fixture.WorkDir, "ThirdPartyStore");
        Directory.CreateDirectory(dir);
        foreach (var file in new[] { "TinyOpStore.cs", "TinyOpStoreTests.cs" })
        {
            File.Copy(Path.Combine(fixture.RepoRoot, "samples", "ThirdPartyStore", file), Path.Combine(dir, file), overwrite: true);
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "ThirdPartyStore.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <FrameworkReference Include="Microsoft.AspNetCore.App" />
                <PackageReference Include="KefuSync.AspNetCore" Version="{fixture.Version}" />
                <PackageReference Include="KefuSync.Testing" Version="{fixture.Version}" />
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
                <PackageReference Include="xunit" Version="2.9.3" />
                <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
              </ItemGroup>
            </Project>
            """);

        var output = await ProcessRunner.DotnetAsync(dir, TimeSpan.FromMinutes(8), "test", "-c", "Release", "-nologo");
        var summary = System.Text.RegularExpressions.Regex.Match(output, @"Failed:\s+(\d+), Passed:\s+(\d+)");
        Assert.True(summary.Success, output);
        Assert.Equal("0", summary.Groups[1].Value);
        Assert.True(int.Parse(summary.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) >= 40, $"Only {summary.Groups[2].Value} specification tests ran:\n{output}");
    }

    [Fact]
    public async Task Mvc_app_with_the_readme_setup_chats_visitor_to_agent()
    {
        await using var app = await fixture.Mvc.StartAsync();
        await ChatRoundTripAsync(app, agentInConsole: false);
    }

    [Fact]
    public async Task Mvc_app_under_path_base_shop_serves_assets_socket_and_console_under_shop()
    {
        await using var app = await fixture.Mvc.StartAsync(pathBase: "/shop");
        await ChatRoundTripAsync(app, agentInConsole: true);
    }

    [Fact]
    public async Task Razor_Pages_app_under_a_strict_nonce_CSP_chats_without_violations()
    {
        await using var app = await fixture.RazorPages.StartAsync(strictCsp: true);
        await ChatRoundTripAsync(app, agentInConsole: false, strictCsp: true);
    }

    [Fact]
    public async Task Minimal_API_app_rendering_KefuWidget_chats_visitor_to_agent()
    {
        await using var app = await fixture.MinimalApi.StartAsync();
        await ChatRoundTripAsync(app, agentInConsole: false);
    }

    private IEnumerable<(string Id, string Version)> Dependencies(string id) =>
        fixture.Nuspec(id).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!));

    /// <summary>
    /// A visitor opens the widget and writes; an agent (a raw protocol client, or the console in the browser) sees the
    /// message and answers; the answer appears in the widget. Along the way: every KefuSync URL is under the app's path
    /// base and answers, and (under CSP) the page reports no violation.
    /// </summary>
    private async Task ChatRoundTripAsync(RunningApp app, bool agentInConsole, bool strictCsp = false)
    {
        var prefix = app.PathBase + "/kefu/";
        await using var visitorContext = await fixture.Browser.NewContextAsync(new() { BaseURL = app.Origin });
        var visitor = await visitorContext.NewPageAsync();
        var problems = new List<string>();
        var kefuUrls = new List<string>();
        var sockets = new List<string>();
        Watch(visitor, app, prefix, problems, kefuUrls, sockets);
        await visitor.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', e =>
              window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
            """);

        try
        {
            var response = await visitor.GotoAsync(app.Home);
            Assert.True(response?.Ok, $"{app.Home} answered {response?.Status}");
            if (strictCsp)
            {
                var csp = await response!.HeaderValueAsync("content-security-policy");
                Assert.NotNull(csp);
                Assert.Contains("script-src 'nonce-", csp);
            }

            // The widget: one script element rendered by the tag helper / KefuWidget(), UI in an open shadow root.
            var launcher = visitor.GetByTestId("kefu-launcher");
            await Expect(launcher).ToBeVisibleAsync();
            Assert.True(await visitor.EvaluateAsync<bool>("""
                () => [...document.querySelectorAll('*')].some(el => el.shadowRoot && el.shadowRoot.querySelector('[data-testid=kefu-launcher]'))
                """), "the launcher is not inside a shadow root");
            await launcher.ClickAsync();
            var input = visitor.GetByTestId("kefu-input");
            await Expect(input).ToBeVisibleAsync();
            var send = visitor.GetByTestId("kefu-send");
            await Expect(send).ToBeEnabledAsync();

            var question = $"Hello from a fresh {app.App.Template} app {Guid.NewGuid():N}";
            await input.FillAsync(question);
            await send.ClickAsync();
            await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = question })).ToBeVisibleAsync();
            await Expect(ExactMessage(visitor, question)).ToHaveCountAsync(1);
            var conv = await ConversationAsync(visitor);

            var answer = $"Agent answer {Guid.NewGuid():N}";
            if (agentInConsole)
            {
                await AnswerFromConsoleAsync(app, prefix, conv, question, answer, problems);
            }
            else
            {
                await AnswerOverWebSocketAsync(app, prefix, conv, question, answer);
            }

            await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = answer })).ToBeVisibleAsync();
            await Expect(ExactMessage(visitor, answer)).ToHaveCountAsync(1);

            Assert.Contains(kefuUrls, u => u.Contains(prefix + "kefu-widget.js", StringComparison.Ordinal) || u.Contains(prefix, StringComparison.Ordinal) && u.Contains("kefu-widget", StringComparison.Ordinal));
            Assert.Contains(sockets, s => s.StartsWith($"ws://127.0.0.1:{app.Port}{prefix}ws", StringComparison.Ordinal));
            if (strictCsp)
            {
                var violations = await visitor.EvaluateAsync<string[]>("() => window.__cspViolations");
                problems.AddRange(violations.Select(v => "CSP violation: " + v));
            }

            Assert.True(problems.Count == 0, "Problems on the page:\n" + string.Join("\n", problems) + "\nKefuSync URLs: " + string.Join(", ", kefuUrls));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nProblems: {string.Join("\n", problems)}\nKefuSync URLs: {string.Join(", ", kefuUrls)}\nSockets: {string.Join(", ", sockets)}\nApp output:\n{app.Output}");
        }
    }

    /// <summary>Records failed requests, KefuSync URLs outside the path base, and CSP reports in the console.</summary>
    private static void Watch(IPage page, RunningApp app, string prefix, List<string> problems, List<string>? kefuUrls = null, List<string>? sockets = null)
    {
        page.Request += (_, r) =>
        {
            var path = new Uri(r.Url).AbsolutePath;
            if (path.Contains("/kefu/", StringComparison.Ordinal) || path.EndsWith("/kefu", StringComparison.Ordinal))
            {
                lock (problems)
                {
                    kefuUrls?.Add(path);
                    if (!path.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        problems.Add($"a KefuSync URL outside {prefix}: {r.Url}");
                    }
                }
            }
        };
        page.Response += (_, r) =>
        {
            if (r.Status >= 400 && new Uri(r.Url).AbsolutePath.Contains("/kefu", StringComparison.Ordinal))
            {
                lock (problems)
                {
                    problems.Add($"{r.Status} for {r.Url}");
                }
            }
        };
        page.RequestFailed += (_, r) =>
        {
            if (r.Url.StartsWith(app.Origin, StringComparison.Ordinal) && !(r.Failure ?? "").Contains("ERR_ABORTED", StringComparison.Ordinal))
            {
                lock (problems)
                {
                    problems.Add($"request failed: {r.Url} ({r.Failure})");
                }
            }
        };
        page.WebSocket += (_, ws) =>
        {
            lock (problems)
            {
                sockets?.Add(ws.Url);
            }
        };
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || m.Text.Contains("Content-Security-Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (problems)
                {
                    problems.Add("console: " + m.Text);
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (problems)
            {
                problems.Add("page error: " + e);
            }
        };
    }

    private static ILocator ExactMessage(IPage page, string text) =>
        page.GetByTestId("kefu-message-text").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(text) + "$") });

    private static async Task<string> ConversationAsync(IPage visitor)
    {
        var handle = await visitor.WaitForFunctionAsync("() => window.KefuSync?.client?.welcome?.conv ?? null", null, new() { Timeout = 20000 });
        return (await handle.JsonValueAsync<string>())!;
    }

    /// <summary>An agent client speaking docs/protocol.md: hello as agent, sub to the conversation, see the question, answer.</summary>
    private static async Task AnswerOverWebSocketAsync(RunningApp app, string prefix, string conv, string question, string answer)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Fresh-Agent", "alice");
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{app.Port}{prefix}ws"), CancellationToken.None);
        await using var agent = new KefuTestClient(socket);
        var welcome = await agent.HelloAsync(agent: true);
        Assert.True(KefuTestClient.Type(welcome) == "welcome", "the agent was not welcomed: " + welcome.GetRawText());
        Assert.Equal("agent", welcome.GetProperty("me").GetProperty("role").GetString());

        var channel = "conv:" + conv;
        await agent.SendAsync(new { t = "sub", c = "a1", ch = channel, rev = 0 });
        var message = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("ch").GetString() == channel
            && f.GetProperty("op").GetProperty("k").GetString() == "msg", TimeSpan.FromSeconds(20));
        Assert.Equal(question, message.GetProperty("op").GetProperty("text").GetString()); // exactly what the visitor typed, once
        Assert.Equal("visitor", message.GetProperty("op").GetProperty("role").GetString());

        await agent.SendAsync(new { t = "submit", c = "a1", ch = channel, id = "a1-1", rev = 0, op = new { k = "msg", text = answer } });
        var ack = await agent.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var id) && id.GetString() == "a1-1");
        Assert.True(KefuTestClient.Type(ack) == "ack", "the agent's answer was refused: " + ack.GetRawText());
    }

    /// <summary>The agent logs in (the test's cookie), opens the console at {prefix}console, finds the conversation, answers.</summary>
    private async Task AnswerFromConsoleAsync(RunningApp app, string prefix, string conv, string question, string answer, List<string> problems)
    {
        await using var agentContext = await fixture.Browser.NewContextAsync(new() { BaseURL = app.Origin });
        await agentContext.AddCookiesAsync([new Cookie { Name = "fresh-agent", Value = "alice", Domain = "127.0.0.1", Path = "/" }]);
        var console = await agentContext.NewPageAsync();
        var sockets = new List<string>();
        Watch(console, app, prefix, problems, sockets: sockets);
        var response = await console.GotoAsync($"{app.Origin}{prefix}console");
        Assert.True(response?.Ok, $"{prefix}console answered {response?.Status}");

        var item = console.Locator($"[data-testid=inbox-item][data-key='{conv}']");
        await Expect(item).ToBeVisibleAsync();
        await item.ClickAsync();
        await Expect(console.Locator($"[data-testid=conversation][data-key='{conv}']")).ToBeVisibleAsync();
        await Expect(console.GetByTestId("messages").GetByTestId("message").Filter(new() { HasText = question })).ToBeVisibleAsync();
        await console.GetByTestId("reply-input").FillAsync(answer);
        await console.GetByTestId("reply-send").ClickAsync();
        await Expect(console.GetByTestId("messages").GetByTestId("message").Filter(new() { HasText = answer })).ToBeVisibleAsync();
        Assert.Contains(sockets, s => s.StartsWith($"ws://127.0.0.1:{app.Port}{prefix}ws", StringComparison.Ordinal));
    }
}
