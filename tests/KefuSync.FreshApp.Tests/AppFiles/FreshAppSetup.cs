// Test-owned code that KefuSync.FreshApp.Tests adds to each app it creates with `dotnet new`: a header/cookie agent
// login and the "KefuAgent" policy (the README leaves authentication to the host), an optional path base and an
// optional strict Content-Security-Policy, chosen by environment variables so one build serves several runs.
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Options;

public static class FreshAppSetup
{
    public const string NonceKey = "nonce";

    public static IServiceCollection AddFreshAgentLogin(this IServiceCollection services)
    {
        services.AddAuthentication(FreshAgentHandler.Scheme)
            .AddScheme<AuthenticationSchemeOptions, FreshAgentHandler>(FreshAgentHandler.Scheme, null);
        services.AddAuthorization(o => o.AddPolicy("KefuAgent", p => p
            .AddAuthenticationSchemes(FreshAgentHandler.Scheme)
            .RequireAuthenticatedUser()
            .RequireClaim("fresh-role", "agent")));
        return services;
    }

    /// <summary>FRESH_PATH_BASE (e.g. /shop) and FRESH_STRICT_CSP=1; call right after Build(), before routing.</summary>
    public static WebApplication UseFreshAppOptions(this WebApplication app)
    {
        var pathBase = Environment.GetEnvironmentVariable("FRESH_PATH_BASE");
        if (!string.IsNullOrEmpty(pathBase))
        {
            app.UsePathBase(pathBase);
        }

        if (Environment.GetEnvironmentVariable("FRESH_STRICT_CSP") == "1")
        {
            app.Use(async (context, next) =>
            {
                var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
                context.Items[NonceKey] = nonce;
                context.Response.Headers.ContentSecurityPolicy =
                    $"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
                await next();
            });
        }

        return app;
    }

    public static string ToHtml(this IHtmlContent content)
    {
        using var writer = new StringWriter();
        content.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }
}

/// <summary>An agent is whoever sends X-Fresh-Agent (or the fresh-agent cookie): enough for a test, never for a real site.</summary>
public sealed class FreshAgentHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Scheme = "FreshAgent";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var name = Request.Headers["X-Fresh-Agent"].ToString();
        if (string.IsNullOrEmpty(name))
        {
            name = Request.Cookies["fresh-agent"] ?? "";
        }

        if (name.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, name), new Claim(ClaimTypes.Name, name), new Claim("fresh-role", "agent")], Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme)));
    }
}
