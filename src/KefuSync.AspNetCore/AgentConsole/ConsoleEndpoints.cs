using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KefuSync.Availability;
using KefuSync.Endpoints;
using KefuSync.Protocol;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KefuSync.AgentConsole;

/// <summary>
/// The agent console page: <c>GET {prefix}/console</c>. A static HTML shell (no inline script or style, strict CSP)
/// that loads the embedded <c>kefu-console.js</c>/<c>.css</c>; everything else happens over the socket as an agent.
/// Guarded by the host's own policy (<see cref="KefuSyncOptions.AgentPolicy"/>) through endpoint authorization
/// (<c>RequireAuthorization(AgentPolicy)</c>), so the host's login decides who is an agent, exactly as it does for the
/// agent channels: an anonymous user gets the host's challenge (e.g. its cookie login), a signed-in non-agent a 403
/// (<see cref="ConsoleAuthorizationResultHandler"/>).
/// </summary>
internal static class ConsoleEndpoints
{
    /// <summary>The console's CSP: nothing inline, and sockets only to this host (as the chat page).</summary>
    internal static string ContentSecurityPolicy(HttpRequest request) =>
        $"default-src 'self'; script-src 'self'; style-src 'self'; connect-src {KefuSync.Widget.WidgetEndpoints.ConnectSources(request)}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

    private const string ConsoleSegment = "/console";

    public static IEndpointConventionBuilder MapKefuConsole(this IEndpointRouteBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var console = group.MapGet(ConsoleSegment, Serve).WithDisplayName("KefuSync agent console").WithMetadata(ConsoleEndpointMarker.Instance);
        console.Add(endpoint =>
        {
            // Read when routing builds the endpoint (after startup validated the options), not when MapKefuSync runs.
            var policy = endpoint.ApplicationServices.GetRequiredService<IOptions<KefuSyncOptions>>().Value.AgentPolicy;
            if (!string.IsNullOrEmpty(policy))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(policy));
            }
        });
        return console;
    }

    private static async Task<IResult> Serve(HttpContext context, KefuEndpointLocator endpoints, IOptions<KefuSyncOptions> options, BusinessHours hours, IAuthorizationService authorization)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        if (string.IsNullOrEmpty(options.Value.AgentPolicy))
        {
            return Results.Text(
                "The KefuSync agent console is disabled: no agent policy is configured. Set KefuSync:AgentPolicy (KefuSyncOptions.AgentPolicy) to the name of an authorization policy that admits your agents.",
                "text/plain; charset=utf-8",
                statusCode: StatusCodes.Status403Forbidden);
        }

        // The authorization middleware admitted this user under AgentPolicy before the endpoint ran.
        var endpoint = endpoints.PrefixFor(context);
        var version = ProtocolConstants.ServerVersion;
        var assets = endpoint.Add("/assets").Add("/" + Uri.EscapeDataString(version));
        var html = Render(
            endpoint.ToUriComponent(),
            version,
            assets.Add("/kefu-console.js").ToUriComponent(),
            assets.Add("/kefu-console.css").ToUriComponent(),
            options.Value.SiteName,
            ConfiguredHours(hours, options.Value.BusinessHours.ConsoleEditing),
            await IsAdminAsync(context, options.Value.AdminPolicy, authorization).ConfigureAwait(false));
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy(context.Request);
        context.Response.Headers["Referrer-Policy"] = "same-origin";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>Whether to offer the Integrations panel; its endpoints check the policy again on every request.</summary>
    private static async Task<bool> IsAdminAsync(HttpContext context, string policy, IAuthorizationService authorization)
        => policy.Length > 0 && (await authorization.AuthorizeAsync(context.User, policy).ConfigureAwait(false)).Succeeded;

    /// <summary>
    /// The schedule of the options, for the console's Hours panel to show when no edit is in force and to offer on reset;
    /// the edits themselves come from the <c>settings:hours</c> channel. <c>edit</c>: whether agents may change it.
    /// </summary>
    private static string ConfiguredHours(BusinessHours hours, bool editable)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            HoursJson.WriteMembers(w, hours.Configured);
            w.WriteBoolean("edit"u8, editable);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Render(string endpoint, string version, string script, string css, string siteName, string hours, bool admin)
    {
        var h = HtmlEncoder.Default;
        var sb = new StringBuilder(1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<meta name=\"referrer\" content=\"same-origin\">")
          .Append("<title>").Append(h.Encode(siteName)).Append(" · KefuSync</title>")
          .Append("<link rel=\"stylesheet\" href=\"").Append(h.Encode(css)).Append("\">")
          .Append("</head>\n<body class=\"kefu-console-body\">")
          .Append("<noscript>The KefuSync console needs JavaScript.</noscript>")
          .Append("<div id=\"kefu-console\" data-testid=\"console-root\"></div>")
          .Append("<script src=\"").Append(h.Encode(script)).Append("\" defer")
          .Append(" data-kefu-endpoint=\"").Append(h.Encode(endpoint)).Append('"')
          .Append(" data-kefu-version=\"").Append(h.Encode(version)).Append('"')
          .Append(" data-kefu-site=\"").Append(h.Encode(siteName)).Append('"')
          .Append(" data-kefu-hours=\"").Append(h.Encode(hours)).Append('"')
          .Append(admin ? " data-kefu-admin=\"1\"" : "")
          .Append("></script></body></html>\n");
        return sb.ToString();
    }
}
