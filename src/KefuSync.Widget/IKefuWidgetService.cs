using Microsoft.AspNetCore.Http;

namespace KefuSync.Widget;

/// <summary>
/// What the widget needs from the server, defined here so KefuSync.Widget never references server internals;
/// KefuSync.AspNetCore implements it (registered by <c>AddKefuSync()</c>).
/// </summary>
internal interface IKefuWidgetService
{
    /// <summary>
    /// Resolves the widget's script URL and <c>data-</c> attributes for this request: endpoint (with PathBase), version,
    /// options with their defaults, and a visitor token signed on the server when the page passed an identity.
    /// </summary>
    KefuWidgetDescriptor Describe(HttpContext context, KefuWidgetRenderOptions options);
}
