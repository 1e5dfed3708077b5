using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// The console's Integrations panel in Chromium: an admin sees the webhook endpoints (one failing and paused, with why;
/// one delivering to a real receiver), creates an API key that the REST API then admits with its scopes, and revokes
/// it; an agent who is not an admin is not offered the panel.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleIntegrationsTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task AnAdmin_SeesAFailingEndpoint_CreatesAScopedKey_ThatTheApiAdmits_AndRevokesIt()
    {
        await using var receiver = await StartReceiverAsync();
        await using var host = await ConsoleSiteHost.StartAsync(
            kefu: k => k.AddWebhook("crm", "http://127.0.0.1:1/hooks", "whsec_" + Convert.ToBase64String(new byte[32]), []) // nothing listens on port 1
                .AddWebhook("slack", Address(receiver) + "/hooks", "whsec_" + Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()), []),
            configure: o =>
            {
                o.AdminPolicy = "KefuAdmin";
                o.Webhooks.AllowPrivateNetworks = true; // both endpoints are on loopback
                o.Webhooks.MaxAttempts = 2;
                o.Webhooks.RetryDelay = TimeSpan.FromMilliseconds(200);
                o.Webhooks.MaxRetryDelay = TimeSpan.FromMilliseconds(400);
            });
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Do you ship to Canada?");

        var bob = await host.OpenConsoleAsync(browser.Browser, "bob");
        await Expect(bob.GetByTestId("aside-hours")).ToBeVisibleAsync();
        await Expect(bob.GetByTestId("aside-integrations")).ToHaveCountAsync(0); // an agent, not an admin

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice", role: "agent,admin");
        await alice.GetByTestId("aside-integrations").ClickAsync();
        var view = alice.GetByTestId("integrations-view");
        await Expect(view).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(alice.GetByTestId("int-keys")).ToContainTextAsync("No keys yet.");

        // The failing endpoint pauses after its two attempts; the panel shows it with the reason once refreshed.
        var crm = alice.Locator("[data-testid=int-hook][data-name=crm]");
        await RefreshUntilAsync(alice, crm, "paused");
        await Expect(crm.GetByTestId("int-hook-state")).ToHaveTextAsync("Paused");
        await Expect(crm.GetByTestId("int-failures")).ToContainTextAsync("attempt 2");
        await Expect(crm.GetByTestId("int-resume")).ToBeVisibleAsync();
        var slack = alice.Locator("[data-testid=int-hook][data-name=slack]");
        await Expect(slack).ToHaveAttributeAsync("data-state", "active");
        await Expect(slack.GetByTestId("int-resume")).ToBeHiddenAsync();

        // A key with one scope: shown once, then admitted by the API for that scope only.
        await alice.GetByTestId("int-new").ClickAsync();
        await alice.GetByTestId("int-name").FillAsync("zapier");
        await alice.GetByTestId("int-display").FillAsync("Zapier");
        await alice.GetByTestId("int-scope-conversations:read").CheckAsync();
        await alice.GetByTestId("int-create").ClickAsync();
        var secretInput = alice.GetByTestId("int-secret-value");
        await Expect(secretInput).ToBeVisibleAsync();
        var secret = await secretInput.InputValueAsync();
        Assert.StartsWith("kfs_", secret, StringComparison.Ordinal);
        var row = alice.Locator("[data-testid=int-key][data-name=zapier]");
        await Expect(row).ToContainTextAsync(secret[..8] + "…");
        await Expect(row).ToContainTextAsync("List and read conversations");
        Assert.DoesNotContain(secret, await row.TextContentAsync() ?? "", StringComparison.Ordinal);

        using var api = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var listed = await api.GetAsync("/kefu/api/v1/conversations");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(key, await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync($"/kefu/api/v1/conversations/{key}/messages")).StatusCode);

        // A bad name is refused with the server's reason, and nothing else changes.
        await alice.GetByTestId("int-name").FillAsync("zapier");
        await alice.GetByTestId("int-scope-messages:read").CheckAsync();
        await alice.GetByTestId("int-create").ClickAsync();
        await Expect(alice.GetByTestId("int-status")).ToContainTextAsync("never reused");
        await Expect(alice.GetByTestId("int-key")).ToHaveCountAsync(1);

        await ScreenshotsAsync(host, alice, key);

        alice.Dialog += (_, dialog) => dialog.AcceptAsync();
        await row.GetByTestId("int-revoke").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-revoked", "true");
        await Expect(row).ToContainTextAsync("Revoked by alice");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/kefu/api/v1/conversations")).StatusCode);

        await crm.GetByTestId("int-resume").ClickAsync();
        await Expect(alice.GetByTestId("int-status")).ToHaveAttributeAsync("data-state", "done");

        // An endpoint added here: its secret shown once, its deliveries counted, then removed.
        await alice.GetByTestId("int-new-hook").ClickAsync();
        await alice.GetByTestId("int-hook-name").FillAsync("zapier-hook");
        await alice.GetByTestId("int-hook-url").FillAsync(Address(receiver) + "/hooks");
        await alice.GetByTestId("int-event-message.created").CheckAsync();
        await alice.GetByTestId("int-hook-add").ClickAsync();
        var hookSecret = alice.GetByTestId("int-hook-secret").GetByTestId("int-secret-value");
        await Expect(hookSecret).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^whsec_"));
        var added = alice.Locator("[data-testid=int-hook][data-name=zapier-hook]");
        await Expect(added).ToContainTextAsync("Created by alice");
        await Expect(added).ToContainTextAsync("message.created");
        await visitor.GetByTestId("kefu-input").FillAsync("And to the US?");
        await visitor.GetByTestId("kefu-input").PressAsync("Enter");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await added.TextContentAsync() ?? "").Contains("1 delivered", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the added endpoint never delivered");
            await Task.Delay(300);
            await RefreshAsync(alice);
        }

        await added.ScrollIntoViewIfNeededAsync();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir(), "console-integrations-new-endpoint-desktop-1280x800.png") });
        await added.GetByTestId("int-hook-remove").ClickAsync();
        await Expect(added).ToHaveCountAsync(0);
    }

    /// <summary>Clicks Refresh until the endpoint's row has that state (delivery runs on its own clock).</summary>
    private static async Task RefreshUntilAsync(IPage page, ILocator hook, string state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await hook.GetAttributeAsync("data-state") != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the endpoint never showed {state}");
            await Task.Delay(300);
            await RefreshAsync(page);
        }
    }

    /// <summary>
    /// Clicks Refresh and waits until its answer is drawn: a row read while a refresh is in flight is replaced under the
    /// next step (a scroll into view then failed with "not attached to the DOM").
    /// </summary>
    private static async Task RefreshAsync(IPage page)
    {
        await page.GetByTestId("int-refresh").ClickAsync();
        await Expect(page.GetByTestId("integrations-view")).Not.ToHaveAttributeAsync("data-busy", "true");
    }

    private async Task ScreenshotsAsync(ConsoleSiteHost host, IPage alice, string key)
    {
        var dir = ScreenshotDir();
        // The aside scrolls on its own: one picture of the keys (with the new key's secret shown once), one of the webhooks.
        await alice.GetByTestId("int-keys").ScrollIntoViewIfNeededAsync();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-integrations-keys-desktop-1280x800.png") });
        await alice.GetByTestId("int-webhooks").ScrollIntoViewIfNeededAsync();
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-integrations-webhooks-desktop-1280x800.png") });
        var phone = await host.OpenConsoleAsync(browser.Browser, "carol", 390, 844, locale: "zh-CN", role: "agent,admin");
        await OpenConversationAsync(phone, key); // at phone width the side tabs fold under the open conversation
        await phone.GetByTestId("aside-integrations").ClickAsync();
        await Expect(phone.GetByTestId("integrations-view")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(phone.Locator("[data-testid=int-hook][data-name=crm]")).ToHaveAttributeAsync("data-state", "paused");
        await phone.GetByTestId("integrations-view").ScrollIntoViewIfNeededAsync();
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-integrations-phone-zh-CN-390x844.png"), FullPage = true });
    }

    private static string Address(WebApplication app) => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    /// <summary>A webhook receiver on real Kestrel that answers every delivery 200.</summary>
    private static async Task<WebApplication> StartReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/hooks", () => Results.Ok());
        await app.StartAsync();
        return app;
    }
}
