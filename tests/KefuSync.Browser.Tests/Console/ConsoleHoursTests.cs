using System.Globalization;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// An agent edits the business hours in the console's Hours tab (protocol §4.4): the visitor's open widget changes at
/// once, the other agent sees the edit, a bad range is refused with the reason, and a reset goes back to the options.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleHoursTests(ConsoleBrowserFixture browser)
{
    [Fact]
    public async Task AgentClosesTheSiteUntilADate_TheOpenWidgetSaysSo_AnotherAgentSeesIt_AndResetReopens()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Are you open?");
        await Expect(visitor.GetByTestId("kefu-back-at")).ToBeHiddenAsync(); // no schedule: always in hours

        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await alice.GetByTestId("aside-hours").ClickAsync();
        await Expect(alice.GetByTestId("hours-source")).ToHaveTextAsync("The site's configured hours apply.");
        await alice.GetByTestId("hours-on").CheckAsync();
        await alice.GetByTestId("hours-tz").SelectOptionAsync("UTC");
        // Closed every weekday, reopening on one date ten days ahead: closed now, whatever the hour.
        var reopening = DateTime.UtcNow.Date.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await alice.GetByTestId("hours-ex-add").ClickAsync();
        await alice.GetByTestId("hours-ex-date").FillAsync(reopening);
        await alice.GetByTestId("hours-ex-hours").FillAsync("09:00-17:00");
        await alice.GetByTestId("hours-ex-name").FillAsync("Reopening");
        await alice.GetByTestId("hours-save").ClickAsync();
        await Expect(alice.GetByTestId("hours-status")).ToHaveAttributeAsync("data-state", "saved");

        // The visitor's widget was told at once (an avail frame): closed, back on the reopening date at 09:00 UTC.
        await Expect(visitor.GetByTestId("kefu-back-at")).ToContainTextAsync("closed", new() { Timeout = 15000 });

        var bob = await host.OpenConsoleAsync(browser.Browser, "bob", locale: "zh-CN");
        await bob.GetByTestId("aside-hours").ClickAsync();
        await Expect(bob.GetByTestId("hours-source")).ToContainTextAsync("Alice");
        await Expect(bob.GetByTestId("hours-ex-date")).ToHaveValueAsync(reopening);
        await Expect(bob.GetByTestId("hours-on")).ToBeCheckedAsync();

        // A range that ends before it starts is refused with the reason; nothing changes.
        await alice.GetByTestId("hours-day-mon").FillAsync("18:00-09:00");
        await alice.GetByTestId("hours-save").ClickAsync();
        await Expect(alice.GetByTestId("hours-status")).ToHaveAttributeAsync("data-state", "error");
        await Expect(alice.GetByTestId("hours-status")).ToContainTextAsync("18:00-09:00");
        await Expect(bob.GetByTestId("hours-day-mon")).ToHaveValueAsync("");

        await ScreenshotsAsync(host, alice, key);

        await alice.GetByTestId("hours-reset").ClickAsync();
        await Expect(alice.GetByTestId("hours-source")).ToHaveTextAsync("The site's configured hours apply.");
        await Expect(visitor.GetByTestId("kefu-back-at")).ToBeHiddenAsync(new() { Timeout = 15000 });
        await Expect(bob.GetByTestId("hours-on")).Not.ToBeCheckedAsync();
    }

    private async Task ScreenshotsAsync(ConsoleSiteHost host, IPage alice, string key)
    {
        var dir = ScreenshotDir();
        await alice.GetByTestId("hours-day-mon").FillAsync("09:00-12:00,13:00-18:00");
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-hours-desktop-1280x800.png") });
        var phone = await host.OpenConsoleAsync(browser.Browser, "carol", 390, 844, locale: "zh-CN");
        await OpenConversationAsync(phone, key); // at phone width the side tabs fold under the open conversation
        await phone.GetByTestId("aside-hours").ClickAsync();
        await Expect(phone.GetByTestId("hours-view")).ToBeVisibleAsync();
        await phone.GetByTestId("hours-view").ScrollIntoViewIfNeededAsync();
        await phone.ScreenshotAsync(new() { Path = Path.Combine(dir, "console-hours-phone-zh-CN-390x844.png"), FullPage = true });
    }

}
