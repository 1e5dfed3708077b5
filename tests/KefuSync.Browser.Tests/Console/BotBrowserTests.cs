using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MvcSite.Bots;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// A bot in Chromium (docs/bots.md): the sample bot (ChatClientBot over the local FaqChatClient) answers the visitor in
/// the widget, the visitor clicks "Talk to a person", and the console shows the handover in the inbox and in the
/// conversation. Screenshots at desktop (1280×800) and phone (390×844) size go to artifacts/screenshots.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class BotBrowserTests(ConsoleBrowserFixture browser)
{
    [Theory]
    [InlineData("desktop", 1280, 800, false)]
    [InlineData("phone", 390, 844, true)]
    public async Task TheVisitorAsks_TheBotAnswers_TalkToAPerson_HandsOver_AndTheConsoleShowsIt(string device, int width, int height, bool mobile)
    {
        await using var host = await ConsoleSiteHost.StartAsync(
            kefu: k => k.AddBot<ChatClientBot>(o => o.DisplayName = "Assistant"),
            services: s => s.AddSingleton<IChatClient, FaqChatClient>());
        var context = await host.NewContextAsync(browser.Browser, new BrowserNewContextOptions { Locale = "en-US", ViewportSize = new ViewportSize { Width = width, Height = height }, IsMobile = mobile, HasTouch = mobile });
        var visitor = await context.NewPageAsync();
        await visitor.GotoAsync("/shop/home");
        await Expect(visitor.GetByTestId("kefu-launcher")).ToBeVisibleAsync();

        var key = await VisitorSaysAsync(visitor, "How long does shipping take?");
        var answer = visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Shipping is free over ¥99 and takes two to three days." });
        await Expect(answer).ToHaveAttributeAsync("data-role", "bot");
        await Expect(answer.Locator(".name")).ToHaveTextAsync("Assistant");
        var human = visitor.GetByTestId("kefu-human");
        await Expect(human).ToBeVisibleAsync();
        await Expect(human).ToHaveTextAsync("Talk to a person");
        var dir = Screenshots.Directory();
        await visitor.ScreenshotAsync(new() { Path = Path.Combine(dir, $"bot-widget-{device}-reply.png") });

        await human.ClickAsync();
        var line = visitor.Locator("[data-testid=kefu-message][data-role=sys]");
        await Expect(line.GetByTestId("kefu-message-text")).ToHaveTextAsync("Connected you to a person");
        await Expect(human).ToBeHiddenAsync();
        await visitor.ScreenshotAsync(new() { Path = Path.Combine(dir, $"bot-widget-{device}-handover.png") });

        // The console: the inbox marks it as needing a person, unassigned; the conversation shows the handover line.
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice", width, height);
        await Expect(InboxItem(alice, key).GetByTestId("inbox-human")).ToHaveTextAsync("Needs a person");
        await Expect(InboxItem(alice, key).GetByTestId("inbox-assignee")).ToHaveTextAsync("Unassigned");
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, $"bot-console-{device}-inbox.png") });
        await OpenConversationAsync(alice, key);
        await Expect(alice.GetByTestId("handover-line")).ToContainTextAsync("Handed over to a person");
        await Expect(Messages(alice).Filter(new() { HasText = "Shipping is free" })).ToHaveAttributeAsync("data-role", "bot");
        await alice.ScreenshotAsync(new() { Path = Path.Combine(dir, $"bot-console-{device}-conversation.png") });

        // Alice answers: the mark goes, and the visitor sees a person's reply.
        await alice.GetByTestId("reply-input").FillAsync("Hi, Alice here. How can I help?");
        await alice.GetByTestId("reply-input").PressAsync("Enter");
        await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Alice here" })).ToHaveAttributeAsync("data-role", "agent");
        await Expect(InboxItem(alice, key).GetByTestId("inbox-human")).ToHaveCountAsync(0);
        foreach (var f in new[] { "widget-{0}-reply", "widget-{0}-handover", "console-{0}-inbox", "console-{0}-conversation" })
        {
            Assert.True(new FileInfo(Path.Combine(dir, "bot-" + string.Format(System.Globalization.CultureInfo.InvariantCulture, f, device) + ".png")).Length > 5000, f);
        }
    }
}
