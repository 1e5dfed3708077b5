using System.Text.Encodings.Web;
using KefuSync.Hosting;
using KefuSync.Protocol;
using KefuSync.Widget.Assets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace KefuSync.Widget;

/// <summary>Serves the embedded front end (versioned, immutable, ETag) and the standalone chat page.</summary>
internal static class WidgetEndpoints
{
    public static RouteGroupBuilder MapKefuWidget(this RouteGroupBuilder group)
    {
        group.MapMethods("/assets/{version}/{file}", [HttpMethods.Get, HttpMethods.Head], ServeAsset).WithDisplayName("KefuSync assets");
        group.MapGet("/chat", ServeChatPage).WithDisplayName("KefuSync chat page");
        return group;
    }

    private static IResult ServeAsset(HttpContext context, string version, string file, EmbeddedAssets assets, KefuEndpointInfo endpoint)
    {
        var asset = assets.Get(file);
        if (asset is null)
        {
            return Results.NotFound();
        }

        if (version != ProtocolConstants.ServerVersion)
        {
            // A page cached from before an upgrade: send it to the current script, never a stale one against a newer server.
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Redirect(endpoint.For(context).Add($"/assets/{ProtocolConstants.ServerVersion}/{file}").Value!);
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

        if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(asset.Gzip, asset.ContentType);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static IResult ServeChatPage(HttpContext context, IKefuWidgetService widget, IOptionsMonitor<KefuSyncOptions> options)
    {
        var descriptor = widget.Describe(context, new KefuWidgetRenderOptions { Mode = "page" });
        var html = KefuWidgetHtml.Render(descriptor, nonce: null);
        using var writer = new StringWriter();
        html.WriteTo(writer, HtmlEncoder.Default);
        var title = HtmlEncoder.Default.Encode(options.CurrentValue.SiteName);
        context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; frame-ancestors 'self'";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return Results.Content(
            $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\n<body>{writer}</body></html>\n",
            "text/html; charset=utf-8");
    }
}
