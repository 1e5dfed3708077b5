using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace KefuSync.Security;

/// <summary>
/// Checks the <c>Origin</c> of a socket handshake (and of a fallback connect). Browsers send cookies with cross-site
/// WebSocket handshakes, so without this check any site could open a socket as a logged-in agent (CSWSH).
/// </summary>
internal sealed class OriginPolicy(IOptionsMonitor<KefuSyncOptions> options)
{
    public bool IsAllowed(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true; // not a browser (a browser always sends Origin on WebSocket handshakes and cross-origin POSTs)
        }

        var request = context.Request;
        var own = request.Scheme + "://" + request.Host.Value;
        if (string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var allowed in options.CurrentValue.AllowedOrigins)
        {
            if (string.Equals(origin, allowed.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
