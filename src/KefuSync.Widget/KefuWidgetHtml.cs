using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace KefuSync.Widget;

/// <summary>Writes the one <c>&lt;script&gt;</c> element of the widget: no inline code, every attribute HTML-encoded.</summary>
internal static class KefuWidgetHtml
{
    public static IHtmlContent Render(KefuWidgetDescriptor descriptor, string? nonce)
    {
        var encoder = HtmlEncoder.Default;
        var builder = new HtmlContentBuilder();
        builder.AppendHtml("<script src=\"");
        builder.AppendHtml(encoder.Encode(descriptor.ScriptUrl));
        builder.AppendHtml("\" defer");
        if (!string.IsNullOrEmpty(nonce))
        {
            builder.AppendHtml(" nonce=\"");
            builder.AppendHtml(encoder.Encode(nonce));
            builder.AppendHtml("\"");
        }

        foreach (var (name, value) in descriptor.Attributes)
        {
            builder.AppendHtml(" ");
            builder.AppendHtml(name); // names are fixed `data-kefu-*` literals, never user input
            builder.AppendHtml("=\"");
            builder.AppendHtml(encoder.Encode(value));
            builder.AppendHtml("\"");
        }

        builder.AppendHtml("></script>");
        return builder;
    }
}
