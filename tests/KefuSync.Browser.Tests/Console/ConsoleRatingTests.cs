using System.Text.Json;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.Console;

/// <summary>
/// The visitor's rating in the console (protocol §4.2 <c>rate</c>). The widget's card is tested in Closed/ClosedCardTests; here the visitor's
/// page sends the op on its own socket, with the visitor token the widget stored: the same wire any client uses.
/// </summary>
[Collection(ConsoleBrowserCollection.Name)]
public sealed class ConsoleRatingTests(ConsoleBrowserFixture browser)
{
    private const string RateFromThePage = """
        async ([score, comment]) => {
          const token = localStorage.getItem('kefu:token:/kefu');
          const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/kefu/ws');
          const frames = [];
          const next = (pred) => new Promise((resolve) => {
            const hit = frames.find(pred);
            if (hit) return resolve(hit);
            const on = (e) => { const f = JSON.parse(e.data); if (pred(f)) { ws.removeEventListener('message', on); resolve(f); } };
            ws.addEventListener('message', on);
          });
          ws.addEventListener('message', (e) => frames.push(JSON.parse(e.data)));
          await new Promise((r) => ws.addEventListener('open', r, { once: true }));
          ws.send(JSON.stringify({ t: 'hello', v: 1, token }));
          const welcome = await next((f) => f.t === 'welcome');
          ws.send(JSON.stringify({ t: 'submit', c: 'r', ch: 'conv:' + welcome.conv, id: 'rate-1', rev: 0, op: { k: 'rate', score, comment } }));
          const answer = await next((f) => (f.t === 'ack' || f.t === 'error') && f.id === 'rate-1');
          ws.close();
          return JSON.stringify(answer);
        }
        """;

    [Fact]
    public async Task VisitorRatesTheClosedConversation_TheInboxRowAndTheHeaderShowTheScoreAndComment_Live()
    {
        await using var host = await ConsoleSiteHost.StartAsync();
        var visitor = await host.OpenVisitorAsync(browser.Browser);
        var key = await VisitorSaysAsync(visitor, "Where is my parcel?");
        var alice = await host.OpenConsoleAsync(browser.Browser, "alice");
        await OpenConversationAsync(alice, key);

        // before the close the server refuses it: nothing to show
        using (var early = JsonDocument.Parse(await visitor.EvaluateAsync<string>(RateFromThePage, new object[] { 5, "too early" })))
        {
            Assert.Equal("invalid_op", early.RootElement.GetProperty("code").GetString());
        }

        await alice.GetByTestId("close-conv").ClickAsync();
        await Expect(alice.GetByTestId("conv-status")).ToHaveAttributeAsync("data-status", "closed");
        using (var ack = JsonDocument.Parse(await visitor.EvaluateAsync<string>(RateFromThePage, new object[] { 4, "Fast <b>and</b> kind" })))
        {
            Assert.Equal("ack", ack.RootElement.GetProperty("t").GetString());
        }

        await Expect(alice.GetByTestId("conv-rating")).ToHaveAttributeAsync("data-score", "4");
        await Expect(alice.GetByTestId("conv-rating")).ToContainTextAsync("★★★★☆");
        await Expect(alice.GetByTestId("conv-rating-comment")).ToHaveTextAsync("Fast <b>and</b> kind"); // text, never HTML
        await alice.GetByTestId("filter-closed").ClickAsync();
        await Expect(InboxItem(alice, key).GetByTestId("inbox-rating")).ToHaveAttributeAsync("data-score", "4");
        await Expect(InboxItem(alice, key).GetByTestId("inbox-rating")).ToContainTextAsync("★★★★ Fast <b>and</b> kind");
    }
}
