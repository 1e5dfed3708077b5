using System.Net;
using System.Text.Encodings.Web;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Widget;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Widget;

public sealed class WidgetEndpointTests
{
    private static readonly string Version = ProtocolConstants.ServerVersion;

    [Fact]
    public async Task Script_IsServedVersioned_Immutable_WithETag_Gzip_And304()
    {
        await using var host = await KefuTestHost.StartAsync();
        using var http = host.CreateHttpClient();
        var response = await http.GetAsync($"/kefu/assets/{Version}/kefu-widget.js");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var etag = response.Headers.ETag!.Tag;
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/kefu/assets/{Version}/kefu-widget.js");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(conditional)).StatusCode);

        using var gzip = new HttpRequestMessage(HttpMethod.Get, $"/kefu/assets/{Version}/kefu-widget.js");
        gzip.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        var compressed = await http.SendAsync(gzip);
        Assert.Contains("gzip", compressed.Content.Headers.ContentEncoding);

        using var head = new HttpRequestMessage(HttpMethod.Head, $"/kefu/assets/{Version}/kefu-widget.css");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(head)).StatusCode);
    }

    [Theory]
    [InlineData("nope.js")]
    [InlineData("..%2Fsecrets.json")]
    [InlineData("KefuSync.AspNetCore.dll")]
    public async Task UnknownAssets_Are404(string file)
    {
        await using var host = await KefuTestHost.StartAsync();
        using var http = host.CreateHttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/kefu/assets/{Version}/{file}")).StatusCode);
    }

    [Fact]
    public async Task AStaleVersion_RedirectsToTheCurrentScript()
    {
        await using var host = await KefuTestHost.StartAsync();
        var client = host.CreateHttpClient();
        var response = await client.GetAsync("/kefu/assets/0.0.1-old/kefu-widget.js");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith($"/kefu/assets/{Version}/kefu-widget.js", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task ChatPage_LoadsTheWidgetInPageMode_UnderAStrictCsp()
    {
        await using var host = await KefuTestHost.StartAsync(o => o.SiteName = "<Shop & Co>");
        using var http = host.CreateHttpClient();
        var response = await http.GetAsync("/kefu/chat");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("data-kefu-mode=\"page\"", html);
        Assert.Contains($"src=\"/kefu/assets/{Version}/kefu-widget.js\"", html);
        Assert.Contains("&lt;Shop &amp; Co&gt;", html);
        Assert.DoesNotContain("<Shop", html);
    }

    [Fact]
    public async Task RenderedTag_EncodesHostileValues_CarriesTheNonce_AndSignsTheIdentity()
    {
        await using var host = await KefuTestHost.StartAsync();
        var context = new DefaultHttpContext { RequestServices = host.Services };
        context.Request.PathBase = "/shop";
        var html = context.KefuWidget(new KefuWidgetRenderOptions
        {
            Title = "\"><script>alert(1)</script>",
            VisitorId = "user-7",
            VisitorName = "Ada \"Lovelace\"",
            VisitorFields = { ["plan"] = "<b>pro</b>" },
            Nonce = "abc123",
            Color = "red;background:url(x)",
        });
        using var writer = new StringWriter();
        html.WriteTo(writer, HtmlEncoder.Default);
        var text = writer.ToString();

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "<script"));
        Assert.StartsWith("<script src=\"/shop/kefu/assets/", context.KefuWidgetHtml());
        Assert.DoesNotContain("<script>alert", text);
        Assert.Contains("nonce=\"abc123\"", text);
        Assert.Contains("src=\"/shop/kefu/assets/", text);
        Assert.Contains("data-kefu-endpoint=\"/shop/kefu\"", text);
        Assert.DoesNotContain("url(x)", text); // an invalid colour falls back to the option
        Assert.DoesNotContain("user-7", text); // the identity travels only inside the signed token

        var token = System.Text.RegularExpressions.Regex.Match(text, "data-kefu-token=\"([^\"]+)\"").Groups[1].Value;
        var tokens = host.Services.GetRequiredService<VisitorTokenService>();
        Assert.Equal(TokenCheck.Valid, tokens.Read(token, out var identity));
        Assert.Equal("h_user-7", identity!.Id);
        Assert.Equal("<b>pro</b>", identity.Fields["plan"]);
    }

    [Fact]
    public async Task UnderAPathBase_TheSocketAssetsAndChatPageLiveUnderIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddKefuSync();
        await using var app = builder.Build();
        app.UsePathBase("/shop");
        app.UseRouting();
        app.MapKefuSync();
        await app.StartAsync();
        using var http = app.GetTestClient();
        var page = await http.GetStringAsync("/shop/kefu/chat");
        Assert.Contains("data-kefu-endpoint=\"/shop/kefu\"", page);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/shop/kefu/assets/{Version}/kefu-widget.js")).StatusCode);
        var socket = await app.GetTestServer().CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/shop/kefu/ws"), CancellationToken.None);
        await using var client = new KefuSync.Tests.Shared.KefuTestClient(socket);
        Assert.Equal("welcome", KefuSync.Tests.Shared.KefuTestClient.Type(await client.HelloAsync()));
    }
}
