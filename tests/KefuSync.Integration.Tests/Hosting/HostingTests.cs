using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KefuSync.Integration.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public void MapKefuSync_WithoutAddKefuSync_ThrowsAnErrorThatNamesTheFix()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        using var app = builder.Build();
        var error = Assert.Throws<InvalidOperationException>(() => app.MapKefuSync());
        Assert.Contains("AddKefuSync()", error.Message);
    }

    [Fact]
    public async Task ATestHost_IsNotConfiguredByTheSamplesAppsettings_ThatSitsInThisFolder()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json")), "the sample's appsettings.json is copied here");
        await using var host = await KefuTestHost.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<KefuSyncOptions>>().Value;
        Assert.Equal("Support", options.SiteName); // the default, not the sample's "Lantern Tea Co."
        Assert.Equal("#1f6feb", options.Widget.Color);
    }

    [Fact]
    public async Task InvalidOptions_FailAtStartup_NamingTheSetting()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KefuSync:Limits:SendQueueCapacity"] = "0",
            ["KefuSync:Widget:Position"] = "middle",
        });
        builder.Services.AddKefuSync();
        await using var app = builder.Build();
        app.MapKefuSync();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("KefuSync:Limits:SendQueueCapacity", error.Message);
        Assert.Contains("KefuSync:Widget:Position", error.Message);
    }

    [Fact]
    public async Task Options_BindFromConfiguration_AndCodeRunsAfterIt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["KefuSync:SiteName"] = "Shop",
            ["KefuSync:Limits:MaxMessageChars"] = "500",
            ["KefuSync:Presence:Ttl"] = "00:00:45",
        });
        builder.Services.AddKefuSync(o => o.Limits.MaxMessageChars = 600);
        builder.Services.AddKefuSync(); // twice is harmless
        await using var app = builder.Build();
        var options = app.Services.GetRequiredService<IOptions<KefuSyncOptions>>().Value;
        Assert.Equal("Shop", options.SiteName);
        Assert.Equal(600, options.Limits.MaxMessageChars);
        Assert.Equal(TimeSpan.FromSeconds(45), options.Presence.Ttl);
    }

    [Fact]
    public async Task ServerSideApi_PostsAMessage_ThatSubscribersReceive_AndObserversSee()
    {
        var observer = new RecordingObserver();
        await using var host = await KefuTestHost.StartAsync(services: s => s.AddSingleton<IKefuSyncObserver>(observer));
        await using var visitor = await host.ConnectAsync();
        var conv = (await visitor.HelloAsync()).GetProperty("conv").GetString()!;
        await visitor.SendAsync(new { t = "sub", c = "v", ch = "conv:" + conv, rev = 0 });
        await visitor.WaitForTypeAsync("subbed");

        var service = host.Services.GetRequiredService<IKefuSyncService>();
        var result = await service.PostMessageAsync(conv, "Welcome! 欢迎", new KefuSender("bot:welcome", "Welcome bot"), "welcome-1");
        var again = await service.PostMessageAsync(conv, "Welcome! 欢迎", new KefuSender("bot:welcome", "Welcome bot"), "welcome-1");

        Assert.True(result.Committed);
        Assert.True(again.Duplicate);
        Assert.Equal(result.Revision, again.Revision);
        var op = await visitor.WaitForTypeAsync("op");
        Assert.Equal("bot:welcome", op.GetProperty("by").GetString());
        Assert.Equal("bot", op.GetProperty("op").GetProperty("role").GetString());
        var seen = await observer.Next.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("conv:" + conv, seen.Channel);
        Assert.Single(await service.ReadAsync("conv:" + conv, 0));
    }

    private sealed class RecordingObserver : IKefuSyncObserver
    {
        public TaskCompletionSource<KefuCommittedOp> Next { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task OnCommittedAsync(KefuCommittedOp op, CancellationToken cancellationToken)
        {
            Next.TrySetResult(op);
            return Task.CompletedTask;
        }
    }
}
