using KefuSync.Browser.Tests.Infrastructure;
using Microsoft.Playwright;
using static KefuSync.Browser.Tests.Console.ConsoleHelpers;
using static Microsoft.Playwright.Assertions;

namespace KefuSync.Browser.Tests.MultiNode;

/// <summary>
/// Three nodes behind a round-robin nginx, no sticky sessions (issue 18, item 8): the visitor's widget and the agent's
/// console chat through the proxy, and keep chatting while nodes are killed and started again. Nothing is lost or
/// duplicated. With <c>--buffer</c> the proxy also compresses event streams, which holds each one until it ends
/// (nginx's <c>proxy_buffering</c> alone still passes chunks on): the stream delivers nothing, and the widget and the
/// console fall back to long polling.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ProxiedSampleTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("", "/kefu/ws")]                        // WebSocket through the proxy
    [InlineData("--strip-upgrade", "/kefu/sse")]        // no upgrades: the event stream and POSTs, sessions across nodes
    [InlineData("--buffer", "/kefu/poll")]              // no upgrades, event streams held back: long polling across nodes
    public async Task ThroughRoundRobinProxy_ChatSurvivesNodesKilledAndRestarted(string mode, string transportPath)
    {
        await using var sample = await ProxiedSample.StartAsync(mode);
        var visitorContext = await browser.NewContextAsync(sample.BaseUrl);
        var agentContext = await browser.NewContextAsync(sample.BaseUrl);
        try
        {
            var visitor = await visitorContext.NewPageAsync();
            await visitor.GotoAsync("/");
            // A new visitor has no conversation until the first welcome; on a fallback that takes a few requests.
            await visitor.WaitForFunctionAsync("() => !!window.KefuSync?.client?.welcome", null, new() { Timeout = 30000 });
            var key = await VisitorSaysAsync(visitor, "Hello through the proxy");

            // The sample's own login (a cookie signed with the key ring every node shares through Redis).
            var login = await agentContext.APIRequest.PostAsync("/account/login", new() { Form = agentContext.APIRequest.CreateFormData().Set("agent", "alice").Set("returnUrl", "/kefu/console"), MaxRedirects = 0 });
            Assert.Equal(302, login.Status);
            var agent = await agentContext.NewPageAsync();
            await agent.GotoAsync("/kefu/console");
            await Expect(agent.GetByTestId("console")).ToHaveAttributeAsync("data-state", "open");
            await OpenConversationAsync(agent, key);
            await Expect(Messages(agent).Filter(new() { HasText = "Hello through the proxy" })).ToHaveCountAsync(1);
            await ReplyAsync(agent, "Hello from Alice");
            await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = "Hello from Alice" })).ToHaveCountAsync(1);
            Assert.True(sample.UpstreamsUsed().Count >= 2, "round robin spread the requests over the nodes: " + string.Join(", ", sample.UpstreamsUsed()));

            // Kill the nodes one after another (each started again by the script): whichever held a socket, both
            // sides reconnect through the proxy to a live node and the next messages arrive, once each.
            for (var node = 1; node <= 3; node++)
            {
                var killed = sample.KillNode(node);
                await sample.WaitForRestartAsync(node, killed);
                await visitor.GetByTestId("kefu-input").FillAsync($"Visitor after node {node} died");
                await visitor.GetByTestId("kefu-input").PressAsync("Enter");
                await Expect(Messages(agent).Filter(new() { HasText = $"Visitor after node {node} died" })).ToHaveCountAsync(1, new() { Timeout = 30000 });
                await ReplyAsync(agent, $"Agent after node {node} died");
                await Expect(visitor.GetByTestId("kefu-message").Filter(new() { HasText = $"Agent after node {node} died" })).ToHaveCountAsync(1, new() { Timeout = 30000 });
            }

            // Everything once, in order, on both sides.
            string[] expected =
            [
                "Hello through the proxy", "Hello from Alice",
                "Visitor after node 1 died", "Agent after node 1 died",
                "Visitor after node 2 died", "Agent after node 2 died",
                "Visitor after node 3 died", "Agent after node 3 died",
            ];
            await Expect(visitor.GetByTestId("kefu-message-text")).ToHaveTextAsync(expected);
            await Expect(Messages(agent).GetByTestId("message-text")).ToHaveTextAsync(expected);

            // nginx logs a request when it ends: by now the killed nodes' sockets and streams have.
            Assert.True(sample.Requested(transportPath), $"the clients used {transportPath} (nginx access log)");
        }
        finally
        {
            await visitorContext.CloseAsync();
            await agentContext.CloseAsync();
        }
    }

    private static async Task ReplyAsync(IPage agent, string text)
    {
        await agent.GetByTestId("reply-input").FillAsync(text);
        await agent.GetByTestId("reply-send").ClickAsync();
        await Expect(Messages(agent).Filter(new() { HasText = text })).ToHaveCountAsync(1);
    }
}
