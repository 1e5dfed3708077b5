using System.Text.Encodings.Web;
using KefuSync.Widget;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>Renders the widget without MVC: Razor Pages, minimal APIs, any HTML you write yourself.</summary>
public static class KefuWidgetHttpContextExtensions
{
    /// <summary>The widget's <c>&lt;script&gt;</c> element for this request, as <c>&lt;kefu-widget /&gt;</c> would render it.</summary>
    /// <exception cref="InvalidOperationException"><c>AddKefuSync()</c> was not called.</exception>
    public static IHtmlContent KefuWidget(this HttpContext context, KefuWidgetRenderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new KefuWidgetRenderOptions();
        var service = context.RequestServices.GetService<IKefuWidgetService>()
            ?? throw new InvalidOperationException("The KefuSync widget needs its services. Call 'builder.Services.AddKefuSync()' and 'app.MapKefuSync()'.");
        return KefuSync.Widget.KefuWidgetHtml.Render(service.Describe(context, options), options.Nonce);
    }

    /// <summary>The same element as a string, for HTML built by hand (e.g. a minimal API returning <c>Results.Content</c>).</summary>
    public static string KefuWidgetHtml(this HttpContext context, KefuWidgetRenderOptions? options = null)
    {
        using var writer = new StringWriter();
        context.KefuWidget(options).WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }
}
