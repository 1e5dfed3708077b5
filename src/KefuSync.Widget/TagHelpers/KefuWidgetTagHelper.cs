using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace KefuSync.Widget.TagHelpers;

/// <summary>
/// <c>&lt;kefu-widget /&gt;</c>: injects the visitor chat widget. Every attribute is optional and falls back to
/// <c>KefuSyncOptions.Widget</c>. Add <c>@addTagHelper *, KefuSync.Widget</c> to <c>_ViewImports.cshtml</c>.
/// </summary>
/// <example><c>&lt;kefu-widget visitor-id="@User.Identity?.Name" visitor-field-plan="Pro" nonce="@cspNonce" /&gt;</c></example>
[HtmlTargetElement("kefu-widget", TagStructure = TagStructure.WithoutEndTag)]
public sealed class KefuWidgetTagHelper : TagHelper
{
    /// <summary>The current view context (set by Razor).</summary>
    [HtmlAttributeNotBound]
    [ViewContext]
    public ViewContext? ViewContext { get; set; }

    /// <summary><c>right</c> or <c>left</c>.</summary>
    public string? Position { get; set; }

    /// <summary>Accent colour (CSS hex).</summary>
    public string? Color { get; set; }

    /// <summary><c>auto</c>, <c>zh-CN</c> or <c>en</c>.</summary>
    public string? Language { get; set; }

    /// <summary>Chat window title.</summary>
    public string? Title { get; set; }

    /// <summary>The host's id of the visitor; signed on the server.</summary>
    public string? VisitorId { get; set; }

    /// <summary>The visitor's display name.</summary>
    public string? VisitorName { get; set; }

    /// <summary>Fields shown to agents; also settable one by one as <c>visitor-field-NAME="value"</c>.</summary>
    [HtmlAttributeName("visitor-fields", DictionaryAttributePrefix = "visitor-field-")]
    public IDictionary<string, string> VisitorFields { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The page's CSP nonce.</summary>
    public string? Nonce { get; set; }

    /// <summary><c>widget</c> or <c>page</c>.</summary>
    public string? Mode { get; set; }

    /// <summary>Force <c>ws</c>, <c>sse</c> (event stream) or <c>poll</c> (long polling).</summary>
    public string? Transport { get; set; }

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var http = ViewContext?.HttpContext ?? throw new InvalidOperationException("<kefu-widget /> must be rendered inside a Razor view.");
        var html = http.KefuWidget(new KefuWidgetRenderOptions
        {
            Position = Position,
            Color = Color,
            Language = Language,
            Title = Title,
            VisitorId = VisitorId,
            VisitorName = VisitorName,
            VisitorFields = VisitorFields,
            Nonce = Nonce,
            Mode = Mode,
            Transport = Transport,
        });
        output.TagName = null;
        output.Content.SetHtmlContent(html);
    }
}
