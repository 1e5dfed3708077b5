using System.Text.Encodings.Web;
using KefuSync.Endpoints;
using KefuSync.Widget.Assets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KefuSync.Widget;

/// <summary>
/// Serves the embedded front end and the standalone chat page:
/// <list type="bullet">
/// <item><c>GET|HEAD {prefix}/assets/{version}/{file}</c>: immutable for a year, strong ETag (304 on <c>If-None-Match</c>),
/// Brotli or gzip when accepted, <c>nosniff</c>. An unknown file is 404. A version other than the current one is
/// redirected (302, <c>no-cache</c>) to the current URL: a page cached before an upgrade still gets a working script, and
/// never one older than the server.</item>
/// <item><c>GET {prefix}/chat</c>: a full-page chat to send visitors a link to, under its own strict CSP.</item>
/// </list>
/// </summary>
internal static class WidgetEndpoints
{
    public static IEndpointRouteBuilder MapKefuWidget(this IEndpointRouteBuilder group)
    {
        group.MapMethods("/assets/{version}/{file}", [HttpMethods.Get, HttpMethods.Head], ServeAsset).WithDisplayName("KefuSync assets");
        group.MapGet("/chat", ServeChatPage).WithDisplayName("KefuSync chat page");
        return group;
    }

    private static IResult ServeAsset(HttpContext context, string version, string file, EmbeddedAssets assets, KefuEndpointLocator endpoint)
    {
        var asset = assets.Get(file);
        if (asset is null)
        {
            return Results.NotFound();
        }

        if (version != WidgetVersion.Current)
        {
            // A page cached from before an upgrade: send it to the current script, never a stale one against a newer server.
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Redirect(endpoint.PrefixFor(context).Add($"/assets/{WidgetVersion.Current}/{file}").Value!);
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "public, max-age=31536000, immutable";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers.Vary = "Accept-Encoding";
        headers.AccessControlAllowOrigin = "*"; // the script may be loaded by pages of AllowedOrigins
        if (context.Request.Headers.IfNoneMatch.ToString().Contains(asset.ETag, StringComparison.Ordinal))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        if (Accepts(context.Request, "br"))
        {
            headers.ContentEncoding = "br";
            return Results.Bytes(asset.Brotli, asset.ContentType);
        }

        if (Accepts(context.Request, "gzip"))
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(asset.Gzip, asset.ContentType);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static bool Accepts(HttpRequest request, string coding)
    {
        foreach (var value in request.GetTypedHeaders().AcceptEncoding)
        {
            if (value.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && (value.Quality ?? 1) > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// <c>connect-src</c> for the chat page: <c>'self'</c>, plus the WebSocket origins of this host, written out for browsers
    /// that do not yet match ws(s) with <c>'self'</c> (CSP Level 2). A host name with anything unexpected is left out.
    /// </summary>
    internal static string ConnectSources(HttpRequest request)
    {
        var host = request.Host.Value;
        if (string.IsNullOrEmpty(host) || host.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]"))
        {
            return "'self'";
        }

        return $"'self' ws://{host} wss://{host}";
    }

    private static IResult ServeChatPage(HttpContext context, IKefuWidgetService widget, IOptionsMonitor<KefuSyncOptions> options)
    {
        var descriptor = widget.Describe(context, new KefuWidgetRenderOptions { Mode = "page" });
        var html = KefuWidgetHtml.Render(descriptor, nonce: null);
        using var writer = new StringWriter();
        html.WriteTo(writer, HtmlEncoder.Default);
        var title = HtmlEncoder.Default.Encode(options.CurrentValue.SiteName);
        context.Response.Headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self'; style-src 'self'; connect-src {ConnectSources(context.Request)}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return Results.Content(
            $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\n<body>{writer}</body></html>\n",
            "text/html; charset=utf-8");
    }
}
