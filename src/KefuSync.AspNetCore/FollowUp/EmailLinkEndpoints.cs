using System.Text.Encodings.Web;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Widget;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace KefuSync.FollowUp;

/// <summary>
/// The two links of an email (docs/security.md, "Email links"):
/// <list type="bullet">
/// <item><c>GET {prefix}/link?t=…</c>: the magic link. A valid token opens the full-page chat signed in as the visitor it
/// names (a fresh visitor token in the page), so the same conversation continues on any device. An invalid or expired
/// one gets a page that says so (<c>410</c>), never another identity.</item>
/// <item><c>GET {prefix}/unsubscribe?t=…</c> asks to confirm (mail scanners follow links: a GET changes nothing);
/// <c>POST</c> (the button, or RFC 8058 one-click from the mail client) records <c>unsub</c> in the conversation's
/// email log, which every node honours.</item>
/// </list>
/// Both pages: no-store, no referrer (the token is in the URL), a strict CSP.
/// </summary>
internal static class EmailLinkEndpoints
{
    public static IEndpointRouteBuilder MapKefuEmailLinks(this IEndpointRouteBuilder group)
    {
        group.MapGet("/link", OpenLink).WithDisplayName("KefuSync email link");
        group.MapGet("/unsubscribe", ConfirmUnsubscribe).WithDisplayName("KefuSync unsubscribe (confirm)");
        group.MapPost("/unsubscribe", UnsubscribeAsync).DisableAntiforgery().WithDisplayName("KefuSync unsubscribe");
        return group;
    }

    private static IResult OpenLink(HttpContext context, string? t, EmailLinkTokens links, VisitorTokenService tokens, IKefuWidgetService widget, IOptionsMonitor<KefuSyncOptions> options)
    {
        var zh = PrefersChinese(context);
        var identity = links.ReadMagic(t);
        if (identity is null)
        {
            return Page(context, StatusCodes.Status410Gone, zh, zh ? "链接已失效" : "This link has expired",
                zh ? "<p>此链接已过期或无效。请在我们的网站上打开在线客服继续对话。</p>" : "<p>This link has expired or is not valid. Open the chat on our site to continue the conversation.</p>", script: "");
        }

        // Signed in as exactly this visitor: the page carries a fresh visitor token, which the widget prefers to any it stored.
        var descriptor = widget.Describe(context, new KefuWidgetRenderOptions { Mode = "page", Language = zh ? "zh-CN" : null });
        var attributes = descriptor.Attributes.Where(a => a.Key != "data-kefu-token").Append(new("data-kefu-token", tokens.Refresh(identity))).ToList();
        using var writer = new StringWriter();
        KefuWidgetHtml.Render(descriptor with { Attributes = attributes }, nonce: null).WriteTo(writer, HtmlEncoder.Default);
        return Page(context, StatusCodes.Status200OK, zh, options.CurrentValue.SiteName, "", writer.ToString());
    }

    private static IResult ConfirmUnsubscribe(HttpContext context, string? t, EmailLinkTokens links)
    {
        var zh = PrefersChinese(context);
        if (links.ReadUnsubscribe(t) is null)
        {
            return Page(context, StatusCodes.Status410Gone, zh, zh ? "链接已失效" : "This link has expired", zh ? "<p>此退订链接无效。</p>" : "<p>This unsubscribe link is not valid.</p>", script: "");
        }

        var action = HtmlEncoder.Default.Encode(context.Request.PathBase + context.Request.Path + "?t=" + Uri.EscapeDataString(t!));
        var body = zh
            ? $"<p>不再接收这段对话的邮件？</p><form method=\"post\" action=\"{action}\"><button type=\"submit\" data-testid=\"unsubscribe\">退订</button></form>"
            : $"<p>Stop the emails about this conversation?</p><form method=\"post\" action=\"{action}\"><button type=\"submit\" data-testid=\"unsubscribe\">Unsubscribe</button></form>";
        return Page(context, StatusCodes.Status200OK, zh, zh ? "退订" : "Unsubscribe", body, script: "");
    }

    private static async Task<IResult> UnsubscribeAsync(HttpContext context, string? t, EmailLinkTokens links, IOpStore store, TimeProvider time, IOptionsMonitor<KefuSyncOptions> options)
    {
        var zh = PrefersChinese(context);
        var key = links.ReadUnsubscribe(t);
        if (key is null)
        {
            return Page(context, StatusCodes.Status410Gone, zh, zh ? "链接已失效" : "This link has expired", zh ? "<p>此退订链接无效。</p>" : "<p>This unsubscribe link is not valid.</p>", script: "");
        }

        var channel = EmailState.Channel(key);
        var payload = EmailState.Unsubscribe();
        var attempts = options.CurrentValue.Limits.MaxAppendRetries;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            // Appended at the head whatever else is there; the client op id keeps it once (a second click changes nothing).
            var head = await store.GetRevisionAsync(channel, context.RequestAborted).ConfigureAwait(false);
            var result = await store.AppendAsync(channel, head, new OpDraft("unsub", "visitor", time.GetUtcNow(), payload), context.RequestAborted).ConfigureAwait(false);
            if (result.Status != AppendStatus.Conflict)
            {
                return Page(context, StatusCodes.Status200OK, zh, zh ? "已退订" : "Unsubscribed",
                    zh ? "<p data-testid=\"unsubscribed\">您不会再收到这段对话的邮件。</p>" : "<p data-testid=\"unsubscribed\">You will get no more emails about this conversation.</p>", script: "");
            }
        }

        return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
    }

    private static bool PrefersChinese(HttpContext context)
        => context.Request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1).FirstOrDefault()?.Value.Value?.StartsWith("zh", StringComparison.OrdinalIgnoreCase) == true;

    private static IResult Page(HttpContext context, int status, bool zh, string title, string body, string script)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'self'; script-src 'self'; style-src 'self'; connect-src {WidgetEndpoints.ConnectSources(context.Request)}; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        var html = $"<!DOCTYPE html>\n<html lang=\"{(zh ? "zh-CN" : "en")}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\"><title>{HtmlEncoder.Default.Encode(title)}</title></head>\n<body>{body}{script}</body></html>\n";
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
