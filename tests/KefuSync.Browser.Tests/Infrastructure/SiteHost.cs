using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using KefuSync.Stores;
using KefuSync.Transport;
using KefuSync.Widget;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>
/// A small host site for browser tests: <c>AddKefuSync()</c> + <c>MapKefuSync()</c> on real Kestrel at
/// <c>http://127.0.0.1:&lt;free port&gt;</c>, and plain HTML pages that render the widget with
/// <c>HttpContext.KefuWidget(...)</c>. Page options come from the query string (see <see cref="PageUrl"/>).
/// <para>
/// It can be stopped and started again on the same port with every conversation intact: the op store (in memory) and
/// the Data Protection key ring (in a temp folder) outlive the <see cref="WebApplication"/> (unless <see cref="ReplaceStore"/>).
/// </para>
/// <para>Test switches: <see cref="RefuseWebSockets"/> (a middleware before KefuSync answers <c>/kefu/ws</c> with 400,
/// as a proxy without WebSocket support would), and <see cref="HoldAppends"/> (appends to <c>conv:*</c> wait at a gate,
/// so a message is provably pending: on the server, not committed).</para>
/// </summary>
public sealed class SiteHost : IAsyncDisposable
{
    private readonly SiteHostOptions _options;
    private object _store;
    private readonly string _keys = Path.Combine(Path.GetTempPath(), "kefu-browser-keys-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly Lock _gateLock = new();
    private TaskCompletionSource _gate = Open();
    private WebApplication? _app;
    private int _heldAppends;
    private int _webSocketRequests;
    private int _refusedWebSockets;

    private SiteHost(SiteHostOptions options)
    {
        _options = options;
        _store = new InMemoryOpStore();
        RefuseWebSockets = options.RefuseWebSockets;
    }

    /// <summary>The port, fixed after the first start.</summary>
    public int Port { get; private set; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public bool IsRunning => _app is not null;

    /// <summary>The running application's services (a new container after each <see cref="StartAsync()"/>).</summary>
    public IServiceProvider Services => (_app ?? throw new InvalidOperationException("The site is not running.")).Services;

    internal ConnectionRegistry Connections => Services.GetRequiredService<ConnectionRegistry>();

    /// <summary>The op store, shared by every run of the site.</summary>
    internal IOpStore Store => (IOpStore)_store;

    /// <summary>While on, <c>/kefu/ws</c> is answered 400 before KefuSync sees it.</summary>
    public bool RefuseWebSockets { get; set; }

    /// <summary>Requests to <c>/kefu/ws</c> that reached KefuSync (upgrades), over every run.</summary>
    public int WebSocketRequests => Volatile.Read(ref _webSocketRequests);

    /// <summary>Requests to <c>/kefu/ws</c> refused by <see cref="RefuseWebSockets"/>.</summary>
    public int RefusedWebSockets => Volatile.Read(ref _refusedWebSockets);

    /// <summary>Appends to <c>conv:*</c> channels waiting at the gate now.</summary>
    public int HeldAppends => Volatile.Read(ref _heldAppends);

    /// <summary>Errors logged by the server (category: message), for diagnostics and assertions.</summary>
    public ConcurrentQueue<string> ServerErrors { get; } = new();

    public static async Task<SiteHost> StartAsync(SiteHostOptions? options = null)
    {
        var host = new SiteHost(options ?? new SiteHostOptions());
        Directory.CreateDirectory(host._keys);
        await host.StartAsync();
        return host;
    }

    /// <summary>Starts the site (again) on the same port, with the same store and keys.</summary>
    public async Task StartAsync()
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The site is running.");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", ApplicationName = "KefuSync.Browser.Tests" });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(new ErrorCollector(ServerErrors));
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{Port}");
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(_keys)).SetApplicationName("KefuSync.Browser.Tests");
        // Registered before AddKefuSync (which only TryAdds): the shared store, behind the test gate.
        builder.Services.AddSingleton((InMemoryOpStore)_store);
        builder.Services.AddSingleton<IOpStore>(new GatedOpStore(Store, this));
        // Agents log in with a header (X-Test-Agent: alice), which only the tests' own WebSocket client sends.
        builder.Services.AddAuthentication(AgentHeaderAuth.SchemeName).AddScheme<AuthenticationSchemeOptions, AgentHeaderAuth>(AgentHeaderAuth.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("KefuAgent", p => p.RequireRole("agent")));
        _options.Services?.Invoke(builder.Services);
        builder.Services.AddKefuSync(o =>
        {
            o.SiteName = "Tea House";
            o.AgentPolicy = "KefuAgent";
            _options.Configure?.Invoke(o);
        });

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/kefu/ws"))
            {
                if (RefuseWebSockets)
                {
                    Interlocked.Increment(ref _refusedWebSockets);
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.Response.WriteAsync("WebSockets are not allowed here.");
                    return;
                }

                Interlocked.Increment(ref _webSocketRequests);
            }

            await next(context);
        });
        app.MapKefuSync();
        app.MapGet("/", (HttpContext context) => Page(context, "home"));
        app.MapGet("/page/{name}", (HttpContext context, string name) => Page(context, name));
        app.MapGet("/site.css", () => Results.Text(SiteCss, "text/css"));
        app.MapGet("/favicon.ico", () => Results.NoContent()); // no 404 in the console of the CSP test
        _options.Map?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
    }

    /// <summary>
    /// While stopped: the next <see cref="StartAsync()"/> runs on a new, empty store, as after a store reset or a restore
    /// of an older backup. The keys stay, so visitors keep their identity and conversation key.
    /// </summary>
    public void ReplaceStore()
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("Stop the site before replacing its store.");
        }

        _store = new InMemoryOpStore();
    }

    /// <summary>Stops the site (KefuSync closes its sockets with 1001); the port stays this site's.</summary>
    public async Task StopAsync()
    {
        var app = _app;
        if (app is null)
        {
            return;
        }

        _app = null;
        ReleaseAppends();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    /// <summary>
    /// A page of this site with the widget. <paramref name="lang"/>: the page's <c>&lt;html lang&gt;</c>;
    /// <paramref name="csp"/>: serve it under a strict CSP (<c>script-src 'nonce-…'; style-src 'self'; connect-src 'self'</c>)
    /// with the nonce passed to the widget; the rest are <see cref="KefuWidgetRenderOptions"/>.
    /// </summary>
    public static string PageUrl(string name = "home", string? lang = null, bool csp = false, string? transport = null, string? visitorId = null, string? visitorName = null, string? widgetLanguage = null, string? mode = null, string? title = null)
    {
        var query = new List<string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                query.Add(key + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("lang", lang);
        Add("csp", csp ? "1" : null);
        Add("transport", transport);
        Add("visitor", visitorId);
        Add("vname", visitorName);
        Add("wlang", widgetLanguage);
        Add("mode", mode);
        Add("title", title);
        return "/page/" + Uri.EscapeDataString(name) + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }

    public void HoldAppends()
    {
        lock (_gateLock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void ReleaseAppends()
    {
        lock (_gateLock)
        {
            _gate.TrySetResult();
        }
    }

    /// <summary>The committed ops of a channel, read from the store (the truth, not the DOM).</summary>
    internal Task<IReadOnlyList<OpRecord>> ReadChannelAsync(string channel) => Store.ReadAsync(channel, 0, 1000);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_keys, recursive: true);
        }
        catch (IOException)
        {
            // a temp folder
        }
    }

    private static IResult Page(HttpContext context, string name)
    {
        var q = context.Request.Query;
        string? Get(string key) => q.TryGetValue(key, out var v) ? v.ToString() : null;
        var csp = Get("csp") == "1";
        string? nonce = null;
        if (csp)
        {
            nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
            context.Response.Headers.ContentSecurityPolicy =
                $"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'";
        }

        var widget = context.KefuWidget(new KefuWidgetRenderOptions
        {
            Nonce = nonce,
            Transport = Get("transport"),
            VisitorId = Get("visitor"),
            VisitorName = Get("vname"),
            Language = Get("wlang"),
            Mode = Get("mode"),
            Title = Get("title"),
        });
        using var html = new StringWriter();
        widget.WriteTo(html, HtmlEncoder.Default);
        var lang = Get("lang") ?? "en";
        var zh = lang.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        var e = HtmlEncoder.Default;
        var body = zh
            ? "<p>精选武夷岩茶、西湖龙井与云南普洱，产地直供，顺丰包邮。</p><p>有任何问题，欢迎随时咨询在线客服。</p>"
            : "<p>Single-origin oolongs, green teas and pu-erh, shipped from the farms within a week.</p><p>Questions about brewing, stock or shipping? Our team is here to help.</p>";
        var page = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(e.Encode(lang)).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(e.Encode(zh ? "茶舍 · " + name : "Tea House · " + name)).Append("</title>")
            .Append("<link rel=\"stylesheet\" href=\"/site.css\"></head><body>")
            .Append("<header><strong>").Append(zh ? "茶舍" : "Tea House").Append("</strong><nav><a href=\"/page/shop\">").Append(zh ? "商店" : "Shop").Append("</a><a href=\"/page/about\">").Append(zh ? "关于" : "About").Append("</a></nav></header>")
            .Append("<main><h1 data-testid=\"page-name\">").Append(e.Encode(name)).Append("</h1>").Append(body).Append("</main>")
            .Append(html.ToString())
            .Append("</body></html>");
        return Results.Content(page.ToString(), "text/html; charset=utf-8", Encoding.UTF8, (int)HttpStatusCode.OK);
    }

    private const string SiteCss = """
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; color: #1f2933; background: #f7f5f0; }
        header { display: flex; justify-content: space-between; align-items: center; padding: 16px 24px; background: #2f4f3a; color: #fff; }
        header nav a { color: #e8f0ea; margin-left: 16px; text-decoration: none; }
        main { max-width: 720px; margin: 32px auto; padding: 0 24px; line-height: 1.6; }
        """;

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    private async Task PassGateAsync(string channel, CancellationToken cancellationToken)
    {
        if (!channel.StartsWith("conv:", StringComparison.Ordinal))
        {
            return;
        }

        Task gate;
        lock (_gateLock)
        {
            gate = _gate.Task;
        }

        if (gate.IsCompleted)
        {
            return;
        }

        Interlocked.Increment(ref _heldAppends);
        try
        {
            await gate.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _heldAppends);
        }
    }

    private sealed class GatedOpStore(IOpStore inner, SiteHost host) : IOpStore
    {
        public async Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
        {
            await host.PassGateAsync(channel, cancellationToken);
            return await inner.AppendAsync(channel, expectedRevision, op, cancellationToken);
        }

        public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default) => inner.GetRevisionAsync(channel, cancellationToken);

        public Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default) => inner.FindClientOpAsync(channel, clientOpId, cancellationToken);

        public Task<long?> FindDuplicateAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken = default) => inner.FindDuplicateAsync(channel, clientOpId, sequence, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
            => inner.ReadAsync(channel, afterRevision, maxCount, cancellationToken);

        public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
            => inner.ReadBeforeAsync(channel, beforeRevision, maxCount, cancellationToken);
    }

    private sealed class ErrorCollector(ConcurrentQueue<string> errors) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Category(errors, categoryName);

        public void Dispose()
        {
        }

        private sealed class Category(ConcurrentQueue<string> errors, string name) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    errors.Enqueue($"{name}: {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}");
                }
            }
        }
    }
}

/// <summary>Test login: <c>X-Test-Agent: alice</c> (and optionally <c>X-Test-Agent-Name</c>) is an agent.</summary>
internal sealed class AgentHeaderAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestAgent";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var agent = Request.Headers["X-Test-Agent"].ToString();
        if (string.IsNullOrEmpty(agent))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var name = Uri.UnescapeDataString(Request.Headers["X-Test-Agent-Name"].ToString());
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, agent), new Claim(ClaimTypes.Name, string.IsNullOrEmpty(name) ? agent : name), new Claim(ClaimTypes.Role, "agent")],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

/// <summary>How a <see cref="SiteHost"/> is set up.</summary>
public sealed class SiteHostOptions
{
    /// <summary>Start with <c>/kefu/ws</c> refused (400).</summary>
    public bool RefuseWebSockets { get; set; }

    /// <summary>More KefuSync options.</summary>
    public Action<KefuSyncOptions>? Configure { get; set; }

    /// <summary>More endpoints (e.g. a login for console tests).</summary>
    public Action<WebApplication>? Map { get; set; }

    /// <summary>More services, registered before <c>AddKefuSync</c> (which only TryAdds): a clock, an email sender.</summary>
    public Action<IServiceCollection>? Services { get; set; }
}
