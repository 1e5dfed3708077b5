using KefuSync.Integration.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KefuSync.Integration.Tests.Console;

/// <summary>
/// A TestServer host for the console page: the test header login (or a cookie login, to see the challenge redirect),
/// the policy "KefuAgent", and optionally a PathBase.
/// </summary>
internal sealed class ConsoleTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ConsoleTestHost(WebApplication app) => _app = app;

    public static async Task<ConsoleTestHost> StartAsync(string agentPolicy = "KefuAgent", string? pathBase = null, bool cookieLogin = false)
    {
        var builder = TestAppBuilder.Create();
        builder.Logging.ClearProviders();
        builder.WebHost.UseTestServer();
        if (cookieLogin)
        {
            builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => o.LoginPath = "/account/login");
        }
        else
        {
            builder.Services.AddAuthentication(TestAgentAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAgentAuthHandler>(TestAgentAuthHandler.SchemeName, null);
        }

        builder.Services.AddAuthorization(o => o.AddPolicy("KefuAgent", p => p.RequireRole("agent")));
        builder.Services.AddKefuSync(o => o.AgentPolicy = agentPolicy);
        var app = builder.Build();
        if (pathBase is not null)
        {
            app.UsePathBase(pathBase);
        }

        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapKefuSync();
        await app.StartAsync();
        return new ConsoleTestHost(app);
    }

    public HttpClient CreateClient()
    {
        var client = _app.GetTestServer().CreateClient();
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
