using System.Text.Json;
using KefuSync.Browser.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Closed;

/// <summary>
/// The visitor's closed conversation (issue 15 item 5): the rating card in every open tab, rated in one and shown
/// rated in all (from the log, not from one tab's state), through the outbox; a reopen removes it.
/// </summary>
public sealed class ClosedCardTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task AgentCloses_TwoTabsShowTheCard_RatingInOne_TheOtherShowsRated_AndAReopenRemovesIt()
    {
        var context = await NewContextAsync();
        var one = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one", csp: true));
        var two = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two", csp: true));
        await one.WaitReadyAsync();
        await two.WaitReadyAsync();
        var conv = await one.ConversationAsync();
        await using var agent = await AgentSession.ConnectAsync(Site);
        await one.SendAsync("Where is my parcel?");
        await agent.SayAsync(conv, "It left this morning.");
        await two.ExpectMessageOnceAsync("It left this morning.");
        await Expect(one.Page.GetByTestId("kefu-closed-card")).ToHaveCountAsync(0);

        await agent.StatusAsync(conv, "closed");
        foreach (var tab in new[] { one, two })
        {
            await Expect(tab.Page.GetByTestId("kefu-closed-card")).ToHaveAttributeAsync("data-state", "unrated");
            await Expect(tab.Page.GetByTestId("kefu-closed-title")).ToHaveTextAsync("Conversation closed");
        }

        // Rated in tab one with the keyboard only: focus the scale, arrows to the 4th star, Tab to the comment, Tab to Send.
        var card = one.Page.GetByTestId("kefu-closed-card");
        await Expect(one.Page.GetByTestId("kefu-rate-send")).ToBeDisabledAsync();
        await one.Page.GetByTestId("kefu-rate-1").FocusAsync();
        await one.Page.Keyboard.PressAsync("Space");
        for (var i = 0; i < 3; i++)
        {
            await one.Page.Keyboard.PressAsync("ArrowRight");
        }

        await Expect(one.Page.GetByTestId("kefu-rate-4")).ToBeCheckedAsync();
        await Expect(card.Locator(".score.on")).ToHaveCountAsync(4);
        await one.Page.Keyboard.PressAsync("Tab");
        await one.Page.Keyboard.TypeAsync("Fast <b>and</b> kind");
        await one.Page.Keyboard.PressAsync("Tab");
        await Expect(one.Page.GetByTestId("kefu-rate-send")).ToBeFocusedAsync();
        await one.Page.Keyboard.PressAsync("Enter");

        foreach (var tab in new[] { one, two })
        {
            await Expect(tab.Page.GetByTestId("kefu-rated")).ToHaveAttributeAsync("data-score", "4");
            await Expect(tab.Page.GetByTestId("kefu-rated")).ToContainTextAsync("Thanks — you rated 4/5");
        }

        // Once in the store, with the comment as typed (text, not markup).
        var rates = await RatesAsync(conv);
        Assert.Equal([(4, "Fast <b>and</b> kind")], rates);

        // A refresh shows the rated card from the cached log, without asking anyone.
        await two.ReloadAsync();
        await Expect(two.Page.GetByTestId("kefu-rated")).ToHaveAttributeAsync("data-score", "4");

        // The visitor writes again: the conversation is open again, and the card is gone in every tab.
        await two.SendAsync("One more thing");
        foreach (var tab in new[] { one, two })
        {
            await tab.ExpectMessageOnceAsync("One more thing");
            await Expect(tab.Page.GetByTestId("kefu-closed-card")).ToHaveCountAsync(0);
        }
    }

    [Fact]
    public async Task RatedOnAnotherDevice_TheSecondRatingIsRefused_AndTheCardSaysAlreadyRated()
    {
        var phone = await WidgetPage.OpenAsync(await NewContextAsync());
        await phone.WaitReadyAsync();
        var conv = await phone.ConversationAsync();
        await phone.SendAsync("Hello");
        await using var agent = await AgentSession.ConnectAsync(Site);
        await agent.StatusAsync(conv, "closed");
        await Expect(phone.Page.GetByTestId("kefu-closed-card")).ToHaveAttributeAsync("data-state", "unrated");

        // Rated offline: the rate op waits in the outbox ("Sending…"). Meanwhile the same visitor rates from another
        // device (its own socket, the same token). Back online, this page's rating comes second and is refused: the
        // card shows the one that stands and says why this one was not taken.
        await phone.Page.Context.SetOfflineAsync(true);
        await phone.Page.GetByTestId("kefu-rate-2").CheckAsync();
        await phone.Page.GetByTestId("kefu-rate-send").ClickAsync();
        await Expect(phone.Page.GetByTestId("kefu-closed-card")).ToHaveAttributeAsync("data-state", "sending");
        var token = await phone.Page.EvaluateAsync<string>("() => localStorage.getItem('kefu:token:/kefu')");
        await RateOnItsOwnSocketAsync(token, conv, 5);
        await phone.Page.Context.SetOfflineAsync(false);

        await Expect(phone.Page.GetByTestId("kefu-rated")).ToHaveAttributeAsync("data-score", "5");
        await Expect(phone.Page.GetByTestId("kefu-rate-refused")).ToHaveAttributeAsync("data-code", "already");
        await Expect(phone.Page.GetByTestId("kefu-rate-refused")).ToContainTextAsync("This conversation was already rated.");
        await phone.Page.GetByTestId("kefu-rate-ok").ClickAsync();
        await Expect(phone.Page.GetByTestId("kefu-rate-refused")).ToHaveCountAsync(0);
        Assert.Equal([(5, (string?)null)], await RatesAsync(conv));
    }

    [Fact]
    public async Task EmailMeTheTranscript_FromTheCard_ArrivesAtARealSmtpServer_AndEveryTabSaysWhereItGoes()
    {
        await using var smtp = KefuSync.Tests.Smtp.SmtpSink.Start();
        await using var site = await SiteHost.StartAsync(new SiteHostOptions
        {
            Configure = o =>
            {
                smtp.Configure(o.Email);
                o.Email.PollInterval = TimeSpan.FromMilliseconds(200);
            },
        });
        var context = await Fixture.NewContextAsync(site.BaseUrl);
        try
        {
            var one = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one", csp: true));
            var two = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two", csp: true));
            await one.WaitReadyAsync();
            await two.WaitReadyAsync();
            var conv = await one.ConversationAsync();
            await one.SendAsync("Do you ship to Lyon?");
            await one.ExpectNothingPendingAsync();
            await using var agent = await AgentSession.ConnectAsync(site);
            await agent.SayAsync(conv, "Yes, in three days.");
            await agent.StatusAsync(conv, "closed");
            await Expect(one.Page.GetByTestId("kefu-transcript-email")).ToBeVisibleAsync();

            // A bad address is refused on the card, with the reason; nothing is sent.
            await one.Page.GetByTestId("kefu-transcript-email").FillAsync("ada@example.com, eve@example.com");
            await one.Page.GetByTestId("kefu-transcript-send").ClickAsync();
            await Expect(one.Page.GetByTestId("kefu-transcript-error")).ToBeVisibleAsync();
            await Expect(one.Page.GetByTestId("kefu-transcript-email")).ToHaveAttributeAsync("aria-invalid", "true");

            await one.Page.GetByTestId("kefu-transcript-email").FillAsync("ada@example.com");
            await one.Page.GetByTestId("kefu-transcript-email").PressAsync("Enter");
            foreach (var tab in new[] { one, two })
            {
                await Expect(tab.Page.GetByTestId("kefu-transcript-sent")).ToHaveTextAsync("We'll email the transcript to ada@example.com.");
            }

            var mail = Assert.Single(await smtp.WaitForAsync(1));
            Assert.Equal("ada@example.com", mail.To.Mailboxes.Single().Address);
            Assert.Contains("Do you ship to Lyon?", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains("Yes, in three days.", mail.TextBody, StringComparison.Ordinal);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    private async Task RateOnItsOwnSocketAsync(string token, string conv, int score)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Site.Port}/kefu/ws"), CancellationToken.None);
        await using var client = new KefuSync.Tests.Shared.KefuTestClient(socket);
        await client.HelloAsync(token: token);
        await client.SendAsync(new { t = "submit", c = "d2", ch = "conv:" + conv, id = "d2-1", rev = 0, op = new { k = "rate", score } });
        var reply = await client.WaitForAsync(f => KefuSync.Tests.Shared.KefuTestClient.Type(f) is "ack" or "error" && f.TryGetProperty("id", out var i) && i.GetString() == "d2-1");
        Assert.Equal("ack", KefuSync.Tests.Shared.KefuTestClient.Type(reply));
    }

    private async Task<List<(int Score, string? Comment)>> RatesAsync(string conv)
    {
        var rates = new List<(int, string?)>();
        foreach (var op in await Site.ReadChannelAsync("conv:" + conv))
        {
            using var json = JsonDocument.Parse(op.Payload);
            if (json.RootElement.GetProperty("k").GetString() == "rate")
            {
                rates.Add((json.RootElement.GetProperty("score").GetInt32(), json.RootElement.TryGetProperty("comment", out var c) ? c.GetString() : null));
            }
        }

        return rates;
    }
}
