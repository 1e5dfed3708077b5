namespace KefuSync.Widget;

/// <summary>
/// What a page asks of the widget. Every member is optional: a null falls back to <c>KefuSyncOptions.Widget</c>.
/// Used by <c>&lt;kefu-widget /&gt;</c> and by <c>HttpContext.KefuWidget(...)</c>.
/// </summary>
public sealed class KefuWidgetRenderOptions
{
    /// <summary><c>right</c> or <c>left</c>.</summary>
    public string? Position { get; set; }

    /// <summary>Accent colour, a CSS hex colour.</summary>
    public string? Color { get; set; }

    /// <summary><c>auto</c>, <c>zh-CN</c> or <c>en</c>.</summary>
    public string? Language { get; set; }

    /// <summary>Title of the chat window.</summary>
    public string? Title { get; set; }

    /// <summary>The host's own id of the visitor (e.g. the logged-in user's id). Signed on the server: the browser cannot change it.</summary>
    public string? VisitorId { get; set; }

    /// <summary>The visitor's display name.</summary>
    public string? VisitorName { get; set; }

    /// <summary>Fields shown to agents (plan, order number, ...).</summary>
    public IDictionary<string, string> VisitorFields { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The CSP nonce of the page, put on the script element.</summary>
    public string? Nonce { get; set; }

    /// <summary><c>widget</c> (launcher and popup, the default) or <c>page</c> (full-page chat).</summary>
    public string? Mode { get; set; }

    /// <summary>Force a transport: <c>ws</c>, <c>sse</c> (event stream) or <c>poll</c> (long polling); null chooses automatically.</summary>
    public string? Transport { get; set; }
}
