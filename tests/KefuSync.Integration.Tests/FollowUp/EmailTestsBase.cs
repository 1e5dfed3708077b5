using System.Text.Json;
using KefuSync.FollowUp;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using KefuSync.Tests.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace KefuSync.Integration.Tests.FollowUp;

/// <summary>
/// What the email tests share: a real SMTP server on 127.0.0.1, one store for every node of a test (as Redis or a
/// database would be), and a clock the test moves. The follow-up passes are driven by the test
/// (<see cref="FollowUpService.RunOnceAsync"/>); the poll loop waits on the same clock, so it never runs on its own.
/// </summary>
public abstract class EmailTestsBase : IAsyncLifetime
{
    private protected ManualTimeProvider Time { get; } = new();

    private protected InMemoryOpStore Store { get; } = new();

    private protected SmtpSink Smtp { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Smtp = SmtpSink.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Smtp.DisposeAsync();

    /// <summary>A node of the site "Tea House" sending through <see cref="Smtp"/>, on <see cref="Store"/> and <see cref="Time"/>.</summary>
    private protected Task<KefuTestHost> NodeAsync(Action<KefuSyncOptions>? configure, Action<IServiceCollection>? services)
        => KefuTestHost.StartAsync(
            o =>
            {
                o.SiteName = "Tea House";
                Smtp.Configure(o.Email);
                configure?.Invoke(o);
            },
            time: Time,
            services: s =>
            {
                s.AddSingleton(Store);
                s.AddSingleton<IOpStore>(Store);
                s.AddSingleton<ISnapshotStore>(Store);
                services?.Invoke(s);
            });

    private protected static FollowUpService Pass(KefuTestHost host) => host.Services.GetServices<IHostedService>().OfType<FollowUpService>().Single();

    /// <summary>Submits <paramref name="op"/> at base 0 (message channels ignore it) and returns its ack or error.</summary>
    private protected static async Task<JsonElement> SubmitAsync(KefuTestClient client, string ch, string id, object op)
    {
        await client.SendAsync(new { t = "submit", c = "x", ch, id, rev = 0, op });
        return await client.WaitForAsync(f => KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var i) && i.GetString() == id);
    }
}
