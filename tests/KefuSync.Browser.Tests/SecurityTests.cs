using System.Text.Json;
using System.Text.RegularExpressions;
using KefuSync.Browser.Tests.Infrastructure;
using KefuSync.Conversations;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests;

/// <summary>Identity, channel authorization, inert message text and CSP, seen from a real browser.</summary>
public sealed class SecurityTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string CspRecorder =
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));";

    [Fact]
    public async Task TheSameHostIdentity_InTwoBrowserContexts_SeesTheSameConversation()
    {
        var carol = "carol-" + Guid.NewGuid().ToString("N")[..8];
        var url = SiteHost.PageUrl("account", visitorId: carol, visitorName: "Carol");
        var onLaptop = await WidgetPage.OpenAsync(await NewContextAsync(), url);
        var onPhone = await WidgetPage.OpenAsync(await NewContextAsync(390, 844, mobile: true), url);
        await onLaptop.WaitReadyAsync();
        await onPhone.WaitReadyAsync();

        // The page carries a signed, encrypted token, not the id itself.
        var token = await onLaptop.Page.Locator("script[data-kefu-endpoint]").GetAttributeAsync("data-kefu-token");
        Assert.False(string.IsNullOrEmpty(token));
        Assert.DoesNotContain(carol, token!, StringComparison.OrdinalIgnoreCase);

        var conv = await onLaptop.ConversationAsync();
        Assert.Equal(conv, await onPhone.ConversationAsync());
        Assert.Equal(ConversationKeys.ForVisitor("h_" + carol), conv);

        await onLaptop.SendAsync("from Carol's laptop");
        await onPhone.ExpectMessageOnceAsync("from Carol's laptop");
        await onPhone.SendAsync("from Carol's phone");
        await onLaptop.ExpectMessageOnceAsync("from Carol's phone");
        AssertOnceInOrder(await WaitForStoredAsync(conv, ["from Carol's laptop", "from Carol's phone"]), ["from Carol's laptop", "from Carol's phone"]);

        // A new context later (another device) gets the history; an anonymous visitor gets a conversation of their own.
        var onTablet = await WidgetPage.OpenAsync(await NewContextAsync(), url);
        await onTablet.ExpectMessageOnceAsync("from Carol's laptop");
        await onTablet.ExpectMessageOnceAsync("from Carol's phone");
        var stranger = await WidgetPage.OpenAsync(await NewContextAsync());
        Assert.NotEqual(conv, await stranger.ConversationAsync());
        await Expect(stranger.Page.GetByTestId("kefu-empty")).ToBeVisibleAsync();
        Assert.Equal(0, await stranger.Messages.CountAsync());
    }

    [Fact]
    public async Task AHandCraftedFrame_ForAnotherVisitorsConversation_IsForbidden()
    {
        var victim = await WidgetPage.OpenAsync(await NewContextAsync());
        await victim.WaitReadyAsync();
        var conv = await victim.ConversationAsync();
        await victim.SendAsync("the victim's private message");
        await WaitForStoredAsync(conv, ["the victim's private message"]);

        // The attacker speaks the protocol by hand from a page of the same site: subscribe, submit, type, page back.
        var attacker = await WidgetPage.OpenAsync(await NewContextAsync(), openChat: false);
        var frames = await attacker.Page.EvaluateAsync<string[]>(
            """
            (conv) => new Promise((resolve, reject) => {
              const seen = [];
              const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/kefu/ws');
              const done = () => { ws.close(); resolve(seen); };
              setTimeout(done, 10000);
              ws.onerror = () => reject(new Error('socket error'));
              ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', v: 1, client: 'attacker' }));
              ws.onmessage = (e) => {
                seen.push(e.data);
                const f = JSON.parse(e.data);
                if (f.t === 'welcome') {
                  ws.send(JSON.stringify({ t: 'sub', c: 'evil', ch: 'conv:' + conv, rev: 0 }));
                  ws.send(JSON.stringify({ t: 'submit', c: 'evil', ch: 'conv:' + conv, id: 'evil-1', rev: 0, op: { k: 'msg', text: 'injected' } }));
                  ws.send(JSON.stringify({ t: 'submit', c: 'evil', ch: 'vdraft:' + conv, id: 'evil-2', rev: 0, op: ['injected'] }));
                  ws.send(JSON.stringify({ t: 'history', ch: 'conv:' + conv, rev: 1000, n: 50, q: 'h1' }));
                  ws.send(JSON.stringify({ t: 'presence', c: 'evil', ch: 'conv:' + conv, s: { typing: true } }));
                  ws.send(JSON.stringify({ t: 'ping', q: 'last' }));
                }
                if (f.t === 'pong' && f.q === 'last') done(); // frames are answered in order: everything is in
              };
            })
            """,
            conv);

        var parsed = frames.Select(f => JsonDocument.Parse(f).RootElement.Clone()).ToArray();
        Assert.Equal("welcome", parsed[0].GetProperty("t").GetString());
        Assert.Equal("pong", parsed[^1].GetProperty("t").GetString());
        var errors = parsed.Where(f => f.GetProperty("t").GetString() == "error").ToArray();
        Assert.True(errors.Length == 5, "expected 5 errors, got: " + string.Join("\n", frames));
        Assert.All(errors, e => Assert.Equal("forbidden", e.GetProperty("code").GetString()));
        Assert.DoesNotContain(frames, f => f.Contains("the victim's private message", StringComparison.Ordinal));
        Assert.DoesNotContain(parsed, f => f.GetProperty("t").GetString() is "op" or "ack" or "subbed" or "history" or "snapshot" or "presence");

        // Nothing changed: the store, the victim's draft, the victim's screen (no "typing" from the attacker).
        Assert.Equal(["the victim's private message"], (await StoredMessagesAsync(conv)).Select(m => m.Text));
        Assert.DoesNotContain(await Site.ReadChannelAsync("vdraft:" + conv), op => op.ClientOpId.StartsWith("evil", StringComparison.Ordinal));
        Assert.DoesNotContain(await Site.ReadChannelAsync("conv:" + conv), op => op.ClientOpId.StartsWith("evil", StringComparison.Ordinal));
        await Expect(victim.Messages).ToHaveCountAsync(1);
        await Expect(victim.Page.GetByTestId("kefu-typing")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task AnHtmlAndScriptPayload_RendersAsInertText()
    {
        const string Payload = "<img src=x onerror=\"window.__kefuXss=1;alert(1)\"><script>window.__kefuXss=2</script><b>bold?</b> & \"quotes\" <svg onload=alert(3)>";
        const string AgentPayload = "<a href=\"javascript:alert(2)\">agent link</a><iframe src=\"javascript:alert(4)\"></iframe>";
        var context = await NewContextAsync();
        var dialogs = new List<string>();
        context.Page += (_, page) => page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        var sender = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("one"));
        var otherTab = await WidgetPage.OpenAsync(context, SiteHost.PageUrl("two"));
        await sender.WaitReadyAsync();
        await otherTab.WaitReadyAsync();
        var conv = await sender.ConversationAsync();
        await sender.SendAsync(Payload);
        await WaitForStoredAsync(conv, [Payload]);
        await using var agent = await AgentSession.ConnectAsync(Site, "alice", "<b>Alice</b>");
        await agent.SayAsync(conv, AgentPayload);

        async Task AssertInertAsync(WidgetPage tab)
        {
            await tab.ExpectMessageOnceAsync(Payload);
            await tab.ExpectMessageOnceAsync(AgentPayload);
            var list = tab.Page.GetByTestId("kefu-messages");
            Assert.Equal(0, await list.Locator("img, script, b, a, svg, iframe").CountAsync());
            // Each bubble holds exactly one text node: the message, character for character.
            var bubbles = await list.Locator("[data-testid=kefu-message-text]").EvaluateAllAsync<string[]>(
                "els => els.map(e => e.childNodes.length === 1 && e.firstChild.nodeType === 3 ? e.firstChild.data : 'NOT TEXT: ' + e.innerHTML)");
            Assert.Contains(Payload, bubbles);
            Assert.Contains(AgentPayload, bubbles);
            await Expect(list.Locator(".name").Filter(new() { HasText = "<b>Alice</b>" })).ToHaveCountAsync(1);
            Assert.Null(await tab.Page.EvaluateAsync<int?>("() => window.__kefuXss ?? null"));
        }

        await AssertInertAsync(sender);
        await AssertInertAsync(otherTab);

        // Also after a reload, when the conversation comes from the local cache and the replay.
        await otherTab.ReloadAsync();
        await AssertInertAsync(otherTab);
        Assert.Empty(dialogs);
        AssertOnceInOrder(await StoredMessagesAsync(conv), [Payload, AgentPayload]);
    }

    [Fact]
    public async Task UnderAStrictCsp_TheWidgetRunsWithTheNonce_WithoutAnyViolation()
    {
        var context = await NewContextAsync();
        // Init scripts are injected by the browser, not subject to the page's CSP.
        await context.AddInitScriptAsync(CspRecorder);
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text + " @ " + message.Location);
            }
        };
        page.PageError += (_, error) => consoleErrors.Add(error);
        var response = await page.GotoAsync(SiteHost.PageUrl("strict", csp: true));
        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.NotNull(csp);
        var nonce = Regex.Match(csp!, "script-src 'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains("style-src 'self';", csp);
        Assert.Contains("connect-src 'self';", csp);
        Assert.Equal(nonce, await page.Locator("script[data-kefu-endpoint]").EvaluateAsync<string>("s => s.nonce"));

        var widget = new WidgetPage(page);
        await widget.LoadedAsync(openChat: true);
        await widget.WaitReadyAsync();
        await widget.SendAsync("hello under a strict CSP");
        await widget.ExpectMessageOnceAsync("hello under a strict CSP");
        await Expect(page.GetByTestId("kefu-message").Last).ToHaveAttributeAsync("data-status", new Regex("^(sent|read)$"));
        await WaitForStoredAsync(await widget.ConversationAsync(), ["hello under a strict CSP"]);
        Assert.True(Site.WebSocketRequests >= 1, "connect-src 'self' must allow the same-origin WebSocket");

        // The stylesheet applied inside the shadow root (style-src 'self'), including the accent colour (CSSOM).
        Assert.NotEqual("rgba(0, 0, 0, 0)", await widget.Launcher.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        Assert.Equal("fixed", await page.GetByTestId("kefu-root").EvaluateAsync<string>("r => getComputedStyle(r).position"));
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__csp"));
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));

        // Control: the policy is really enforced on this page, and the recorder sees violations.
        Assert.Null(await page.EvaluateAsync<int?>("() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s); return window.__inline ?? null; }"));
        await page.WaitForFunctionAsync("() => window.__csp.length > 0", null, new() { Timeout = 5000 });
    }

    [Fact]
    public async Task TheStandaloneChatPage_WorksUnderItsOwnStrictCsp()
    {
        var context = await NewContextAsync();
        await context.AddInitScriptAsync(CspRecorder);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync("/kefu/chat");
        var csp = await response!.HeaderValueAsync("content-security-policy");
        Assert.Contains("script-src 'self';", csp);
        Assert.Contains("style-src 'self';", csp);
        Assert.DoesNotContain("unsafe", csp);

        var chat = new WidgetPage(page);
        await chat.LoadedAsync(openChat: false);
        await Expect(chat.Launcher).ToHaveCountAsync(0); // page mode: no launcher, the chat is the page
        await chat.WaitReadyAsync();
        await chat.SendAsync("hello from the chat page");
        await chat.ExpectMessageOnceAsync("hello from the chat page");
        AssertOnceInOrder(await WaitForStoredAsync(await chat.ConversationAsync(), ["hello from the chat page"]), ["hello from the chat page"]);
        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__csp"));
    }
}
