using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using KefuSync.Security;
using KefuSync.Widget;
using KefuSync.Widget.Assets;
using KefuSync.Widget.TagHelpers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.AspNetCore.Tests.Widget;

public sealed class KefuWidgetTagHelperTests
{
    private static ServiceProvider Services(Action<KefuSyncOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddKefuSync(configure);
        return services.BuildServiceProvider();
    }

    private static string Render(IServiceProvider services, KefuWidgetTagHelper helper, string pathBase = "")
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.PathBase = pathBase;
        helper.ViewContext = new ViewContext { HttpContext = http };
        var context = new TagHelperContext("kefu-widget", [], new Dictionary<object, object>(), "id");
        var output = new TagHelperOutput("kefu-widget", [], (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()));
        helper.Process(context, output);
        Assert.Null(output.TagName);
        using var writer = new StringWriter();
        output.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }

    private static string Attribute(string html, string name) =>
        Regex.Match(html, $"\\s{Regex.Escape(name)}=\"([^\"]*)\"").Groups[1].Value;

    [Fact]
    public void Renders_OneDeferredScript_WithTheOptionsAsDefaults()
    {
        using var services = Services(o =>
        {
            o.SiteName = "Lantern";
            o.Widget.Color = "#0f766e";
            o.Widget.Position = "left";
            o.Widget.Language = "zh-CN";
            o.Widget.Title = "在线客服";
        });
        var html = Render(services, new KefuWidgetTagHelper());

        Assert.Matches("^<script src=\"[^\"]+\" defer [^<>]*></script>$", html);
        Assert.Equal($"/kefu/assets/{WidgetVersion.Current}/kefu-widget.js", Attribute(html, "src"));
        Assert.Equal("/kefu", Attribute(html, "data-kefu-endpoint"));
        Assert.Equal(WidgetVersion.Current, Attribute(html, "data-kefu-version"));
        Assert.Equal("left", Attribute(html, "data-kefu-position"));
        Assert.Equal("#0f766e", Attribute(html, "data-kefu-color"));
        Assert.Equal("zh-CN", Attribute(html, "data-kefu-lang"));
        Assert.Equal("Lantern", Attribute(html, "data-kefu-site"));
        Assert.Equal("widget", Attribute(html, "data-kefu-mode"));
        Assert.Equal("&#x5728;&#x7EBF;&#x5BA2;&#x670D;", Attribute(html, "data-kefu-title"));
        Assert.DoesNotContain("nonce", html);
        Assert.DoesNotContain("data-kefu-token", html); // no identity given: the visitor stays anonymous
        Assert.DoesNotContain("data-kefu-transport", html);
    }

    [Fact]
    public void Attributes_OverrideTheOptions_AndInvalidValuesFallBack()
    {
        using var services = Services();
        var html = Render(services, new KefuWidgetTagHelper { Position = "left", Color = "#abc", Language = "en", Mode = "page", Transport = "sse" });
        Assert.Equal("left", Attribute(html, "data-kefu-position"));
        Assert.Equal("#abc", Attribute(html, "data-kefu-color"));
        Assert.Equal("en", Attribute(html, "data-kefu-lang"));
        Assert.Equal("page", Attribute(html, "data-kefu-mode"));
        Assert.Equal("sse", Attribute(html, "data-kefu-transport"));

        var invalid = Render(services, new KefuWidgetTagHelper { Position = "top", Color = "red;x:url(y)", Language = "fr", Mode = "popup", Transport = "carrier-pigeon" });
        Assert.Equal("right", Attribute(invalid, "data-kefu-position"));
        Assert.Equal("#1f6feb", Attribute(invalid, "data-kefu-color"));
        Assert.Equal("auto", Attribute(invalid, "data-kefu-lang"));
        Assert.Equal("widget", Attribute(invalid, "data-kefu-mode"));
        Assert.DoesNotContain("data-kefu-transport", invalid);
    }

    [Theory]
    [InlineData("\"><script>alert(1)</script>")]
    [InlineData("' onload='alert(1)")]
    [InlineData("</script><img src=x onerror=alert(1)>")]
    [InlineData("a & b \" c < d > e ' f ` g")]
    public void HostileValues_AreEncoded_AndNeverBreakOutOfTheAttribute(string hostile)
    {
        using var services = Services(o => o.SiteName = hostile);
        var html = Render(services, new KefuWidgetTagHelper { Title = hostile, Nonce = hostile, VisitorName = hostile });

        Assert.Single(Regex.Matches(html, "<script"));
        Assert.Single(Regex.Matches(html, "</script>"));
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("'", html);
        var inTags = Regex.Replace(html, "=\"[^\"]*\"", "=\"\"");
        Assert.Matches("^<script src=\"\" defer( [a-z-]+=\"\")+></script>$", inTags);
        Assert.Equal(HtmlEncoder.Default.Encode(hostile), Attribute(html, "data-kefu-title"));
        Assert.Equal(HtmlEncoder.Default.Encode(hostile), Attribute(html, "nonce"));
        Assert.Equal(HtmlEncoder.Default.Encode(hostile), Attribute(html, "data-kefu-site"));
    }

    [Fact]
    public void TheNonce_IsPutOnTheScript()
    {
        using var services = Services();
        var html = Render(services, new KefuWidgetTagHelper { Nonce = "r4nd0m+/=" });
        Assert.Equal("r4nd0m+/=", System.Net.WebUtility.HtmlDecode(Attribute(html, "nonce")));
    }

    [Fact]
    public void UnderAPathBase_TheScriptAndEndpoint_IncludeIt()
    {
        using var services = Services();
        var html = Render(services, new KefuWidgetTagHelper(), pathBase: "/shop");
        Assert.Equal($"/shop/kefu/assets/{WidgetVersion.Current}/kefu-widget.js", Attribute(html, "src"));
        Assert.Equal("/shop/kefu", Attribute(html, "data-kefu-endpoint"));
    }

    [Fact]
    public void TheVisitorIdentity_IsSignedOnTheServer_WithFieldsFromBothAttributeForms()
    {
        using var services = Services();
        var helper = new KefuWidgetTagHelper { VisitorId = "user-42", VisitorName = "Ada", VisitorFields = { ["plan"] = "Pro" } };
        helper.VisitorFields["order"] = "#1001"; // what visitor-field-order="#1001" binds to
        var html = Render(services, helper);

        Assert.DoesNotContain("user-42", html);
        Assert.DoesNotContain("Ada", html);
        var token = System.Net.WebUtility.HtmlDecode(Attribute(html, "data-kefu-token"));
        Assert.Equal(TokenCheck.Valid, services.GetRequiredService<VisitorTokenService>().Read(token, out var identity));
        Assert.Equal("h_user-42", identity!.Id);
        Assert.Equal("Ada", identity.Name);
        Assert.Equal("Pro", identity.Fields["plan"]);
        Assert.Equal("#1001", identity.Fields["order"]);

        // A token altered in the browser is refused.
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        Assert.NotEqual(TokenCheck.Valid, services.GetRequiredService<VisitorTokenService>().Read(forged, out _));
    }

    [Fact]
    public void HttpContextKefuWidget_RendersWhatTheTagHelperRenders()
    {
        using var services = Services();
        var http = new DefaultHttpContext { RequestServices = services };
        var options = new KefuWidgetRenderOptions { Title = "Help", Nonce = "n1", Transport = "sse" };
        using var writer = new StringWriter();
        http.KefuWidget(options).WriteTo(writer, HtmlEncoder.Default);
        var tag = Render(services, new KefuWidgetTagHelper { Title = "Help", Nonce = "n1", Transport = "sse" });
        Assert.Equal(tag, writer.ToString());
    }

    [Fact]
    public void WithoutAddKefuSync_TheErrorSaysWhatToCall()
    {
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        var error = Assert.Throws<InvalidOperationException>(() => http.KefuWidget());
        Assert.Contains("AddKefuSync", error.Message);
    }
}
