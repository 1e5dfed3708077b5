using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Away;

/// <summary>Outside business hours the widget says when agents are back, in the visitor's own time zone and language.</summary>
public sealed class OutOfHoursTests(BrowserFixture fixture) : AwayTest(fixture)
{
    protected override KefuOutsideHours Outside => KefuOutsideHours.OfflineForm;

    [Theory]
    [InlineData("Europe/Berlin", "en", "We're closed right now. Back Monday 02:00.")]
    [InlineData("America/New_York", "en", "We're closed right now. Back Sunday 21:00.")]
    [InlineData("Asia/Shanghai", "zh-CN", "现在是非工作时间。 星期一 09:00 回来。")]
    public async Task OutsideHours_ShowsBackAt_InTheVisitorsZoneAndLanguage(string zone, string lang, string expected)
    {
        var context = await ZonedContextAsync(zone, lang == "zh-CN" ? "zh-CN" : "en-US");
        // Under the strict CSP: the offline form's script is loaded with the widget's nonce.
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", lang: lang, csp: true));
        await Expect(tab.Page.GetByTestId("kefu-back-at")).ToHaveTextAsync(expected);
        await Expect(tab.Page.GetByTestId("kefu-offline-hint")).ToBeHiddenAsync(); // the note replaces the generic hint
        await Expect(tab.Page.GetByTestId("kefu-offline-form")).ToBeVisibleAsync();
        await Expect(tab.Launcher).ToBeVisibleAsync();
    }

    [Fact]
    public async Task OfflineForm_RefusesABadAddress_StoresAGoodOne_AndAgentsSeeIt()
    {
        var context = await ZonedContextAsync("Europe/Berlin", "en-US");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", lang: "en", csp: true));
        await tab.WaitReadyAsync();
        var email = tab.Page.GetByTestId("kefu-email");
        await email.FillAsync("ada@example");
        await tab.Page.GetByTestId("kefu-email-save").ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-email-error")).ToBeVisibleAsync();
        await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");

        await email.FillAsync("ada@example.com");
        await tab.Page.GetByTestId("kefu-email-save").ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-email-saved")).ToContainTextAsync("ada@example.com");
        await Expect(tab.Page.GetByTestId("kefu-offline-form")).ToBeHiddenAsync();
        await tab.SendAsync("Do you ship to Munich?");
        var conv = await tab.ConversationAsync();
        await WaitForStoredAsync(conv, ["Do you ship to Munich?"]);

        // On the visitor's profile: a contact op in the conversation, and the inbox summary agents list.
        await Eventually.TrueAsync(
            async () => (await Site.ReadChannelAsync("conv:" + conv)).Any(op => System.Text.Encoding.UTF8.GetString(op.Payload.Span).Contains("\"email\":\"ada@example.com\"", StringComparison.Ordinal)),
            () => "the contact op to be stored");

        // A reload (another page of the site) remembers it: the form is not shown again.
        await tab.ReloadAsync();
        await Expect(tab.Page.GetByTestId("kefu-email-saved")).ToContainTextAsync("ada@example.com");
        await Expect(tab.Page.GetByTestId("kefu-offline-form")).ToBeHiddenAsync();
    }
}

/// <summary>The owner chose to hide the launcher outside hours.</summary>
public sealed class HiddenLauncherTests(BrowserFixture fixture) : AwayTest(fixture)
{
    protected override KefuOutsideHours Outside => KefuOutsideHours.HideLauncher;

    [Fact]
    public async Task OutsideHours_TheLauncherIsHidden()
    {
        var context = await ZonedContextAsync("Asia/Shanghai", "en-US");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("home", lang: "en"), openChat: false);
        await tab.Page.WaitForFunctionAsync("() => window.KefuSync.client.state === 'open'");
        await Expect(tab.Launcher).ToBeHiddenAsync();
    }
}

/// <summary>The email is required while nobody is there: sending waits for it.</summary>
public sealed class RequiredEmailTests(BrowserFixture fixture) : AwayTest(fixture)
{
    protected override KefuOutsideHours Outside => KefuOutsideHours.OfflineForm;

    protected override KefuOfflineEmail Ask => KefuOfflineEmail.Required;

    [Fact]
    public async Task Required_TheComposerWaitsForTheEmail()
    {
        var context = await ZonedContextAsync("Asia/Shanghai", "zh-CN");
        var tab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("首页", lang: "zh-CN"), openChat: false);
        await tab.Launcher.ClickAsync();
        await Expect(tab.Page.GetByTestId("kefu-email-ask")).ToHaveTextAsync("请先留下邮箱，以便我们的答复能送达您。");
        await Expect(tab.Input).ToBeDisabledAsync();
        await Expect(tab.Page.GetByTestId("kefu-email-skip")).ToBeHiddenAsync();
        await tab.Page.GetByTestId("kefu-email").FillAsync("li.lei@example.cn");
        await tab.Page.GetByTestId("kefu-email-save").ClickAsync();
        await Expect(tab.Input).ToBeEnabledAsync();
        await tab.SendAsync("请问周末发货吗？");
        await WaitForStoredAsync(await tab.ConversationAsync(), ["请问周末发货吗？"]);
    }
}
