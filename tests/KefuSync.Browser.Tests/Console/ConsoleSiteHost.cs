using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using KefuSync.Protocol;
using KefuSync.Transport;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// A small site on real Kestrel (127.0.0.1, free port) for the console browser tests: a cookie login
/// (<c>/test/login?user=alice&amp;role=agent</c>), the agent policy "KefuAgent", plain pages carrying the visitor widget
/// script, KefuSync with a short presence TTL, and the console.
/// </summary>
internal sealed class ConsoleSiteHost : IAsyncDisposable
{
    public static readonly TimeSpan PresenceTtl = TimeSpan.FromSeconds(3);

    private readonly WebApplication _app;

    // Every browser context opened on this site, closed with it: a page left open on a stopped site reconnects for the
    // rest of the run, and dozens of them slowed every later browser test.
    private readonly List<IBrowserContext> _contexts = [];

    private ConsoleSiteHost(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public IKefuSyncService Kefu => Services.GetRequiredService<IKefuSyncService>();

    public ConnectionRegistry Connections => Services.GetRequiredService<ConnectionRegistry>();

    public string BaseUrl => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <param name="kefu">More KefuSync registrations (a bot: <c>k =&gt; k.AddBot&lt;T&gt;()</c>).</param>
    /// <param name="services">More services (what such a registration needs).</param>
    /// <param name="configure">More options (the admin policy "KefuAdmin": <c>o =&gt; o.AdminPolicy = "KefuAdmin"</c>).</param>
    public static async Task<ConsoleSiteHost> StartAsync(Action<IKefuSyncBuilder>? kefu = null, Action<IServiceCollection>? services = null, Action<KefuSyncOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => o.LoginPath = "/test/login-page");
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("KefuAgent", p => p.RequireRole("agent"));
            o.AddPolicy("KefuAdmin", p => p.RequireRole("admin"));
        });
        var registration = builder.Services.AddKefuSync(o =>
        {
            o.AgentPolicy = "KefuAgent";
            o.SiteName = "Demo Shop";
            o.Presence.Ttl = PresenceTtl;
            o.Presence.SweepInterval = TimeSpan.FromMilliseconds(250);
            configure?.Invoke(o);
        });
        kefu?.Invoke(registration);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapKefuSync();

        app.MapGet("/test/login", async (HttpContext context, string user, string? role, string? name) =>
        {
            var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user), new(ClaimTypes.Name, name ?? user) };
            foreach (var each in (role ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                claims.Add(new Claim(ClaimTypes.Role, each)); // role=agent,admin: both
            }

            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme)));
            return Results.Text("signed in");
        });
        app.MapGet("/test/login-page", () => Results.Text("login page"));
        app.MapGet("/shop/{page}", (string page, string? visitor, string? name, KefuSync.Security.VisitorTokenService tokens) =>
        {
            var version = ProtocolConstants.ServerVersion;
            // ?visitor=carol: the page of a signed-in customer, as the tag helper renders it (`visitor-id`, signed here);
            // &name=… the display name the host signs (default: the id capitalised).
            var token = visitor is null ? "" : $" data-kefu-token=\"{tokens.IssueForHost(visitor, name ?? char.ToUpperInvariant(visitor[0]) + visitor[1..], null).Token}\"";
            var title = HtmlEncoder.Default.Encode(page switch { "home" => "Home · Demo Shop", "shoes" => "Running shoes · Demo Shop", _ => page + " · Demo Shop" });
            return Results.Content(
                $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head><body><h1>{title}</h1><a id=\"next\" href=\"/shop/shoes\">shoes</a>" +
                $"<script src=\"/kefu/assets/{version}/kefu-widget.js\" data-kefu-endpoint=\"/kefu\" data-kefu-version=\"{version}\" data-kefu-lang=\"en\"{token} defer></script></body></html>",
                "text/html; charset=utf-8");
        });
        await app.StartAsync();
        return new ConsoleSiteHost(app);
    }

    /// <summary>A browser context logged in as an agent (the host's cookie).</summary>
    public async Task<IBrowserContext> AgentContextAsync(IBrowser browser, string agent, int width = 1280, int height = 800, string locale = "en-US", string role = "agent")
    {
        var context = await NewContextAsync(browser, new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, Locale = locale });
        var page = await context.NewPageAsync();
        var login = await page.GotoAsync($"/test/login?user={agent}&role={role}&name={char.ToUpperInvariant(agent[0])}{agent[1..]}");
        Assert.Equal((int)HttpStatusCode.OK, login!.Status);
        await page.CloseAsync();
        return context;
    }

    /// <summary>Opens the console in a new tab of <paramref name="context"/> and waits until it is connected.</summary>
    public static async Task<IPage> ConsoleTabAsync(IBrowserContext context, string? hash = null)
    {
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync("/kefu/console" + (hash ?? ""));
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        await Assertions.Expect(page.GetByTestId("console")).ToHaveAttributeAsync("data-state", "open");
        return page;
    }

    /// <summary>A browser context logged in as an agent, with the console open (and connected).</summary>
    public async Task<IPage> OpenConsoleAsync(IBrowser browser, string agent, int width = 1280, int height = 800, string? hash = null, string locale = "en-US", string role = "agent")
    {
        var context = await AgentContextAsync(browser, agent, width, height, locale, role);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync("/kefu/console" + (hash ?? ""));
        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        await Assertions.Expect(page.GetByTestId("console")).ToHaveAttributeAsync("data-state", "open");
        return page;
    }

    /// <summary>A fresh visitor (own context) on a shop page with the widget loaded.</summary>
    public async Task<IPage> OpenVisitorAsync(IBrowser browser, string path = "/shop/home")
    {
        var context = await NewContextAsync(browser, new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await Assertions.Expect(page.GetByTestId("kefu-launcher")).ToBeVisibleAsync();
        return page;
    }

    /// <summary>A browser context on this site (its <c>BaseURL</c>), closed when the site is disposed.</summary>
    public async Task<IBrowserContext> NewContextAsync(IBrowser browser, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = BaseUrl;
        var context = await browser.NewContextAsync(options);
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        return context;
    }

    public async ValueTask DisposeAsync()
    {
        IBrowserContext[] contexts;
        lock (_contexts)
        {
            contexts = [.. _contexts];
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
