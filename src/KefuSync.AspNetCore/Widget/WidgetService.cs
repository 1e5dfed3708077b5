using KefuSync.Endpoints;
using KefuSync.Widget.Assets;
using KefuSync.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace KefuSync.Widget;

/// <summary>Resolves the widget for a request: endpoint under PathBase, versioned script URL, defaults, signed identity.</summary>
internal sealed class WidgetService(KefuEndpointLocator endpoint, VisitorTokenService tokens, IOptionsMonitor<KefuSyncOptions> options) : IKefuWidgetService
{
    public KefuWidgetDescriptor Describe(HttpContext context, KefuWidgetRenderOptions request)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var current = options.CurrentValue;
        var defaults = current.Widget;
        var root = endpoint.PrefixFor(context);
        var version = WidgetVersion.Current;
        var attributes = new List<KeyValuePair<string, string>>
        {
            new("data-kefu-endpoint", root.Value ?? "/kefu"),
            new("data-kefu-version", version),
            new("data-kefu-lang", Pick(request.Language, defaults.Language, "auto", "zh-CN", "en")),
            new("data-kefu-position", Pick(request.Position, defaults.Position, "right", "left")),
            new("data-kefu-color", CssColor.IsHex(request.Color) ? request.Color! : defaults.Color),
            new("data-kefu-site", current.SiteName),
            new("data-kefu-mode", Pick(request.Mode, "widget", "widget", "page")),
        };
        var title = string.IsNullOrWhiteSpace(request.Title) ? defaults.Title : request.Title;
        if (!string.IsNullOrEmpty(title))
        {
            attributes.Add(new("data-kefu-title", title));
        }

        if (request.Transport is "ws" or "sse" or "poll")
        {
            attributes.Add(new("data-kefu-transport", request.Transport));
        }

        if (!string.IsNullOrWhiteSpace(request.VisitorId) || !string.IsNullOrWhiteSpace(request.VisitorName) || request.VisitorFields.Count > 0)
        {
            // Signed here, on the server: the page carries an opaque token the browser cannot alter.
            var (token, _) = tokens.IssueForHost(request.VisitorId, request.VisitorName, new Dictionary<string, string>(request.VisitorFields, StringComparer.Ordinal));
            attributes.Add(new("data-kefu-token", token));
        }

        var script = root.Add("/assets/" + version + "/kefu-widget.js");
        return new KefuWidgetDescriptor(script.Value!, attributes);
    }

    private static string Pick(string? requested, string fallback, params string[] allowed)
        => requested is not null && allowed.Contains(requested, StringComparer.Ordinal) ? requested : fallback;
}
