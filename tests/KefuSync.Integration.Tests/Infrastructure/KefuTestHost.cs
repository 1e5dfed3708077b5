using System.Net.WebSockets;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using KefuSync.Transport;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.Integration.Tests.Infrastructure;

/// <summary>
/// A host with the README's setup (AddKefuSync + MapKefuSync), an agent policy "KefuAgent" (role "agent") and a
/// header-based test login. Runs on TestServer by default, or on real Kestrel at 127.0.0.1 on a free port.
/// </summary>
internal sealed class KefuTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KefuTestHost(WebApplication app, bool kestrel)
    {
        _app = app;
        IsKestrel = kestrel;
    }

    public bool IsKestrel { get; }

    public IServiceProvider Services => _app.Services;

    public IOpStore Store => Services.GetRequiredService<IOpStore>();

    public ConnectionRegistry Connections => Services.GetRequiredService<ConnectionRegistry>();

    public Uri BaseAddress => IsKestrel
        ? new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First())
        : new Uri("http://localhost");

    /// <param name="pipeline">Middleware before authentication (e.g. UsePathBase + UseRouting).</param>
    /// <param name="map">Maps the endpoints instead of the default <c>app.MapKefuSync()</c>.</param>
    /// <param name="logs">Receives every entry at <see cref="LogLevel.Debug"/> and above (by default the host logs nothing).</param>
    public static async Task<KefuTestHost> StartAsync(Action<KefuSyncOptions>? configure = null, bool kestrel = false, Action<IServiceCollection>? services = null, TimeProvider? time = null, Action<IKefuSyncBuilder>? kefu = null, int port = 0, Action<WebApplication>? pipeline = null, Action<WebApplication>? map = null, ILoggerProvider? logs = null)
    {
        var builder = TestAppBuilder.Create();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Debug);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (kestrel)
        {
            builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddAuthentication(TestAgentAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAgentAuthHandler>(TestAgentAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("KefuAgent", p => p.RequireRole("agent")));
        var kefuBuilder = builder.Services.AddKefuSync(o =>
        {
            o.AgentPolicy = "KefuAgent";
            configure?.Invoke(o);
        });
        kefu?.Invoke(kefuBuilder);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        pipeline?.Invoke(app);
        app.UseAuthentication();
        app.UseAuthorization();
        if (map is null)
        {
            app.MapKefuSync();
        }
        else
        {
            map(app);
        }

        await app.StartAsync();
        return new KefuTestHost(app, kestrel);
    }

    /// <summary>Opens a socket to /kefu/ws; <paramref name="agent"/> logs in as that agent, <paramref name="user"/> as a non-agent user.</summary>
    public async Task<KefuTestClient> ConnectAsync(string? agent = null, string? user = null, string? origin = null, string path = "/kefu/ws")
    {
        WebSocket socket;
        if (IsKestrel)
        {
            var client = new ClientWebSocket();
            if (agent is not null)
            {
                client.Options.SetRequestHeader("X-Test-User", agent);
                client.Options.SetRequestHeader("X-Test-Role", "agent");
            }
            else if (user is not null)
            {
                client.Options.SetRequestHeader("X-Test-User", user);
            }

            if (origin is not null)
            {
                client.Options.SetRequestHeader("Origin", origin);
            }

            var uri = new UriBuilder(BaseAddress) { Scheme = "ws", Path = path }.Uri;
            await client.ConnectAsync(uri, CancellationToken.None);
            socket = client;
        }
        else
        {
            var client = _app.GetTestServer().CreateWebSocketClient();
            client.ConfigureRequest = request =>
            {
                if (agent is not null)
                {
                    request.Headers["X-Test-User"] = agent;
                    request.Headers["X-Test-Role"] = "agent";
                }
                else if (user is not null)
                {
                    request.Headers["X-Test-User"] = user;
                }

                if (origin is not null)
                {
                    request.Headers.Origin = origin;
                }
            };
            socket = await client.ConnectAsync(new Uri(BaseAddress, path), CancellationToken.None);
        }

        return new KefuTestClient(socket);
    }

    public HttpClient CreateHttpClient() => IsKestrel ? new HttpClient { BaseAddress = BaseAddress } : _app.GetTestClient();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
