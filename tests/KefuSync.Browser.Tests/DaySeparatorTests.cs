using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>
/// Day separators in the visitor's chat (issue 15 item 7): the site's clock (a <see cref="ShiftedTimeProvider"/>) stamps
/// one message on a Monday and the next a day later; the browser's clock is on that later day, so the list reads
/// "Monday, November 30", the first message, "Today", the second, in the page's language, and the same after a reload.
/// </summary>
public sealed class DaySeparatorTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private static readonly DateTimeOffset MondayMorning = new(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
    private readonly ShiftedTimeProvider _clock = new(MondayMorning);

    protected override SiteHostOptions SiteOptions() => new() { Services = s => s.AddSingleton<TimeProvider>(_clock) };

    [Theory]
    [InlineData("desktop", 1280, 800, false, "en", "Monday, November 30", "Today")]
    [InlineData("phone", 390, 844, true, "zh-CN", "11月30日星期一", "今天")]
    public async Task MessagesOfTwoDays_AreHeadedByTheirDay(string device, int width, int height, bool mobile, string lang, string monday, string today)
    {
        var zh = lang == "zh-CN";
        var context = await NewContextAsync(width, height, mobile, zh ? "zh-CN" : "en-US");
        // noon of the next day, in the browser (10:00 and 12:00 UTC are one date in every zone from UTC-10 to UTC+11)
        await context.Clock.SetFixedTimeAsync(MondayMorning.AddDays(1).AddHours(2).UtcDateTime);
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl(zh ? "首页" : "home", lang: lang));
        await tab.WaitReadyAsync();
        var conv = await tab.ConversationAsync();
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", zh ? "客服小李" : "Alice");
        var first = zh ? "周一：您的订单已发货。" : "Monday: your order has shipped.";
        await agent.SayAsync(conv, first);
        await tab.ExpectMessageOnceAsync(first);
        _clock.Advance(TimeSpan.FromDays(1));
        var second = zh ? "今天：包裹已到达本地网点。" : "Today: the parcel reached your local depot.";
        await agent.SayAsync(conv, second);
        await tab.ExpectMessageOnceAsync(second);

        string[] expected = [$"day:{monday}", $"msg:{first}", $"day:{today}", $"msg:{second}"];
        const string order = """
            l => [...l.children].filter(c => !c.hidden && c.dataset.testid !== 'kefu-empty')
              .map(c => c.dataset.testid === 'kefu-day' ? 'day:' + c.textContent : 'msg:' + c.querySelector('[data-testid=kefu-message-text]').textContent)
            """;
        var list = tab.Page.GetByTestId("kefu-messages");
        Assert.Equal(expected, await list.EvaluateAsync<string[]>(order));
        await tab.Page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots.Directory(), $"widget-{device}-{lang}-days.png") });

        // drawn again from the cache and the catch-up: the same
        await tab.ReloadAsync();
        await tab.ExpectMessageOnceAsync(second);
        Assert.Equal(expected, await list.EvaluateAsync<string[]>(order));
    }
}
