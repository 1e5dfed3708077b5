using System.Net;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace KefuSync.Integration.Tests.Sample;

/// <summary>The sample site, as `dotnet run --project samples/MvcSite` runs it, on its embedded SQLite store.</summary>
public sealed class SampleSiteTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"kefu-sample-{Guid.NewGuid():N}.db");

    private WebApplicationFactory<Program> Start() => new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
    {
        b.UseSetting("ConnectionStrings:Kefu", $"Data Source={_database}");
        b.UseEnvironment("Production");
    });

    [Fact]
    public async Task Pages_RenderTheWidget_AndTheHealthCheckIsHealthy()
    {
        await using var site = Start();
        using var http = site.CreateClient();
        foreach (var page in new[] { "/", "/Home/Products", "/Home/Pricing", "/Home/Contact" })
        {
            var html = await http.GetStringAsync(page);
            Assert.Contains("data-kefu-endpoint=\"/kefu\"", html);
            Assert.Contains("data-kefu-site=\"Lantern Tea Co.\"", html); // from appsettings.json
        }

        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
    }

    [Fact]
    public async Task AfterARestart_TheVisitorsConversationAndTheAgentsInboxAreIntact()
    {
        string token;
        string conv;
        await using (var first = Start())
        {
            var socket = await first.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/kefu/ws"), CancellationToken.None);
            await using var visitor = new KefuTestClient(socket);
            var welcome = await visitor.HelloAsync();
            token = welcome.GetProperty("token").GetString()!;
            conv = welcome.GetProperty("conv").GetString()!;
            for (var i = 1; i <= 3; i++)
            {
                await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + conv, id = $"v-{i}", rev = 0, op = new { k = "msg", text = $"before restart {i}" } });
                await visitor.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == $"v-{i}");
            }
        }

        await using var second = Start();
        var again = await second.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/kefu/ws"), CancellationToken.None);
        await using var returning = new KefuTestClient(again);
        var back = await returning.HelloAsync(token);
        Assert.Equal(conv, back.GetProperty("conv").GetString());
        await returning.SendAsync(new { t = "sub", c = "v", ch = "conv:" + conv, rev = 0 });
        await returning.WaitForTypeAsync("subbed");
        Assert.Equal(["before restart 1", "before restart 2", "before restart 3"], returning.Seen.Where(f => KefuTestClient.Type(f) == "op").Select(f => f.GetProperty("op").GetProperty("text").GetString()));

        // The demo agent logs in with the site's own cookie login, and the inbox still lists the conversation.
        var login = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await login.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["agent"] = "alice" }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = response.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        var agentClient = second.Server.CreateWebSocketClient();
        agentClient.ConfigureRequest = r => r.Headers.Cookie = cookie;
        await using var agent = new KefuTestClient(await agentClient.ConnectAsync(new Uri("ws://localhost/kefu/ws"), CancellationToken.None));
        Assert.Equal("agent", (await agent.HelloAsync(agent: true)).GetProperty("me").GetProperty("role").GetString());
        await agent.SendAsync(new { t = "list", q = "l" });
        var list = await agent.WaitForTypeAsync("list");
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("before restart 3", item.GetProperty("lastText").GetString());
        Assert.Equal(3, item.GetProperty("unreadRevisions").GetArrayLength());
    }

    public void Dispose()
    {
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }
}
