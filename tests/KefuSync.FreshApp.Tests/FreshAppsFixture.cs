using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Playwright;

namespace KefuSync.FreshApp.Tests;

/// <summary>
/// Once per run: packs the five KefuSync packages into a local folder feed, creates one app per SDK template
/// (`dotnet new mvc`, `webapp`, `web`) in a temp dir, adds KefuSync.AspNetCore from that feed, applies the README's
/// setup lines, builds the apps, and starts the system Chromium. Never downloads a browser.
/// </summary>
public sealed class FreshAppsFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static readonly string[] PackageIds = ["KefuSync.AspNetCore", "KefuSync.Widget", "KefuSync.Redis", "KefuSync.EntityFrameworkCore", "KefuSync.Testing"];

    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string RepoRoot { get; } = FindRepoRoot();

    public string WorkDir { get; } = Path.Combine(Path.GetTempPath(), "kefu-freshapp-" + Guid.NewGuid().ToString("N")[..12]);

    public string FeedDir => Path.Combine(WorkDir, "feed");

    public string Version { get; private set; } = "";

    public ReadmeSetup Setup { get; private set; } = null!;

    public FreshApp Mvc { get; private set; } = null!;

    public FreshApp RazorPages { get; private set; } = null!;

    public FreshApp MinimalApi { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser did not start.");

    public TimeSpan SetupTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ChromiumPath}: install it with `apt-get install -y chromium`.");
        }

        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(FeedDir);
        Setup = ReadmeSetup.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot, "README.md")));

        // 1. Pack, in Release, exactly as a maintainer publishes.
        foreach (var id in PackageIds)
        {
            await ProcessRunner.DotnetAsync(RepoRoot, TimeSpan.FromMinutes(4),
                "pack", Path.Combine("src", id, id + ".csproj"), "-c", "Release", "-o", FeedDir, "-nologo", "-v:q", "-clp:ErrorsOnly");
        }

        var aspNetCore = Directory.GetFiles(FeedDir, "KefuSync.AspNetCore.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
        Version = Regex.Match(Path.GetFileName(aspNetCore), @"^KefuSync\.AspNetCore\.(.+)\.nupkg$").Groups[1].Value;

        // 2. A nuget.config a new user would have: the local feed (for KefuSync only) and nuget.org. Its own packages
        //    folder, so a stale KefuSync is never reused; the machine's package cache is read in place as a fallback
        //    folder (copying it, Skia's native assets for every platform among it, once filled a CI disk).
        await File.WriteAllTextAsync(Path.Combine(WorkDir, "nuget.config"), NuGetConfig());

        // 3. The apps, from the SDK templates.
        Mvc = await CreateAsync("mvc", "FreshMvc", "Views/_ViewImports.cshtml", "Views/Shared/_Layout.cshtml", cspNonces: false);
        RazorPages = await CreateAsync("webapp", "FreshPages", "Pages/_ViewImports.cshtml", "Pages/Shared/_Layout.cshtml", cspNonces: true);
        MinimalApi = await CreateAsync("web", "FreshMinimal", null, null, cspNonces: false);

        // 4. Build (restore included) two at a time: the machine has two cores.
        await Task.WhenAll(Mvc.BuildAsync(), RazorPages.BuildAsync());
        await MinimalApi.BuildAsync();

        Assertions.SetDefaultExpectTimeout(20000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
        SetupTime = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by an exiting process: the temp dir is cleaned by the OS
        }
        catch (UnauthorizedAccessException)
        {
            // same
        }
    }

    /// <summary>The .nuspec of a packed package.</summary>
    public XDocument Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(Nupkg(id));
        var entry = zip.Entries.Single(e => e.FullName == id + ".nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    public string Nupkg(string id) => Path.Combine(FeedDir, $"{id}.{Version}.nupkg");

    private async Task<FreshApp> CreateAsync(string template, string name, string? viewImports, string? layout, bool cspNonces)
    {
        var dir = Path.Combine(WorkDir, name);
        try
        {
            await ProcessRunner.DotnetAsync(WorkDir, TimeSpan.FromMinutes(2), "new", template, "-o", dir, "-n", name, "--no-restore");
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                $"`dotnet new {template}` failed: the ASP.NET Core templates ship with the .NET SDK; reinstall it (e.g. `apt-get install -y dotnet-sdk-10.0`) or `dotnet new install Microsoft.DotNet.Web.ProjectTemplates.10.0`.\n{e.Message}", e);
        }

        await ProcessRunner.DotnetAsync(dir, TimeSpan.FromMinutes(3), "add", name + ".csproj", "package", "KefuSync.AspNetCore", "--version", Version);

        // The README's lines, verbatim, where the README says they go; test-owned lines are marked.
        var program = Path.Combine(dir, "Program.cs");
        var code = await File.ReadAllTextAsync(program);
        code = InsertBefore(code, "var app = builder.Build();",
            Setup.ServicesLine + "\n" + "builder.Services.AddFreshAgentLogin(); // test-owned: agent login and the KefuAgent policy\n\n", template);
        code = InsertAfter(code, "var app = builder.Build();",
            "\napp.UseFreshAppOptions(); // test-owned: FRESH_PATH_BASE, FRESH_STRICT_CSP" + (template == "web" ? "\napp.UseRouting(); // test-owned: routing after the path base" : ""), template);
        code = InsertBefore(code, "app.Run();", Setup.EndpointsLine + "\n\n", template);
        if (template == "web")
        {
            // Test-owned: the README covers views; a minimal API app renders the widget itself.
            code = Replace(code, "app.MapGet(\"/\", () => \"Hello World!\");",
                "app.MapGet(\"/\", (HttpContext httpContext) => Results.Content(\n" +
                "    \"<!DOCTYPE html><html lang=\\\"en\\\"><head><meta charset=\\\"utf-8\\\"><title>Fresh minimal</title></head><body><h1>Minimal API</h1>\"\n" +
                "    + httpContext.KefuWidget(new KefuSync.Widget.KefuWidgetRenderOptions { Nonce = httpContext.Items[FreshAppSetup.NonceKey] as string }).ToHtml()\n" +
                "    + \"</body></html>\", \"text/html; charset=utf-8\"));", template);
        }

        await File.WriteAllTextAsync(program, code);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "AppFiles", "FreshAppSetup.cs"), Path.Combine(dir, "FreshAppSetup.cs"));

        if (viewImports is not null && layout is not null)
        {
            var imports = Path.Combine(dir, viewImports);
            await File.AppendAllTextAsync(imports, (await File.ReadAllTextAsync(imports)).EndsWith('\n') ? Setup.TagHelperLine + "\n" : "\n" + Setup.TagHelperLine + "\n");
            var layoutPath = Path.Combine(dir, layout);
            var html = await File.ReadAllTextAsync(layoutPath);
            var widget = Setup.WidgetLine;
            if (cspNonces)
            {
                // Test-owned: a site under a strict CSP gives its nonce to the widget and to its own scripts.
                widget = widget.Replace("<kefu-widget ", "<kefu-widget nonce=\"@Context.Items[\"nonce\"]\" ", StringComparison.Ordinal);
                html = Regex.Replace(html, @"<script(?=[\s>])", "<script nonce=\"@Context.Items[\"nonce\"]\"");
            }

            html = InsertBefore(html, "</body>", widget + "\n", template);
            await File.WriteAllTextAsync(layoutPath, html);
        }

        return new FreshApp(template, name, dir);
    }

    private static string InsertBefore(string text, string anchor, string insert, string template) =>
        Replace(text, anchor, insert + anchor, template);

    private static string InsertAfter(string text, string anchor, string insert, string template) =>
        Replace(text, anchor, anchor + insert, template);

    private static string Replace(string text, string anchor, string replacement, string template)
    {
        var at = text.IndexOf(anchor, StringComparison.Ordinal);
        if (at < 0 || text.IndexOf(anchor, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new InvalidOperationException($"The `dotnet new {template}` template changed: expected exactly one '{anchor}'.\n{text}");
        }

        return text[..at] + replacement + text[(at + anchor.Length)..];
    }

    private string NuGetConfig()
    {
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var hasCache = Directory.Exists(cache);
        var offline = hasCache ? $"""    <add key="machine-cache" value="{cache}" />""" + "\n" : "";
        var offlineMapping = hasCache ? """    <packageSource key="machine-cache"><package pattern="*" /></packageSource>""" + "\n" : "";

        // A fallback folder wins over every source, so it is used only while it holds no KefuSync of this version
        // (one restored there by hand would hide the packages just packed).
        var fallback = hasCache && !PackageIds.Any(id => Directory.Exists(Path.Combine(cache, id.ToLowerInvariant(), Version)))
            ? $"""
                <fallbackPackageFolders>
                  <add key="machine-cache" value="{cache}" />
                </fallbackPackageFolders>

            """
            : "";
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(WorkDir, "packages")}" />
              </config>
            {fallback}  <packageSources>
                <clear />
                <add key="kefusync-local" value="{FeedDir}" />
            {offline}    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="kefusync-local"><package pattern="KefuSync.*" /></packageSource>
            {offlineMapping}    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("KefuSync.sln not found above " + AppContext.BaseDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class FreshAppsCollection : ICollectionFixture<FreshAppsFixture>
{
    public const string Name = "fresh apps";
}
