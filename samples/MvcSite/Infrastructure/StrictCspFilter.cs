using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc.Filters;

namespace MvcSite.Infrastructure;

/// <summary>
/// A strict Content-Security-Policy on every page of the site: scripts run only with this response's nonce, so the
/// widget's <c>&lt;kefu-widget nonce="..." /&gt;</c> is the one script allowed. KefuSync needs nothing inline.
/// </summary>
public sealed class StrictCspFilter : IResultFilter
{
    private const string NonceKey = "csp-nonce";

    /// <summary>The nonce of this response (empty outside an MVC page).</summary>
    public static string NonceOf(HttpContext context) => context.Items[NonceKey] as string ?? "";

    public void OnResultExecuting(ResultExecutingContext context)
    {
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.HttpContext.Items[NonceKey] = nonce;
        // connect-src 'self' also covers ws(s):// of this origin (CSP Level 3).
        context.HttpContext.Response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
