using System.Text;
using System.Text.Json;
using KefuSync.FollowUp;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;
using KefuSync.Stores;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace KefuSync.Integration.Tests.FollowUp;

/// <summary>
/// The transcript a visitor asks for when the conversation is closed (docs/protocol.md §4.2 <c>transcript</c>), through
/// the follow-up's durable email log and a real SMTP server on 127.0.0.1. The passes are driven by the test on a
/// clock it moves, as in <see cref="FollowUpTests"/>.
/// </summary>
public sealed class TranscriptTests : EmailTestsBase
{

    private Task<KefuTestHost> NodeAsync() => NodeAsync(null, null);

    private static string Code(JsonElement reply) => KefuTestClient.Type(reply) == "ack" ? "ack" : reply.GetProperty("code").GetString()!;

    /// <summary>
    /// A conversation with a visitor message, an agent answer edited later, an agent message recalled, a file the
    /// visitor sent, and the close. Returns the channel and the open visitor connection.
    /// </summary>
    private async Task<(string Channel, KefuTestClient Visitor, KefuTestClient Agent)> ClosedConversationAsync(KefuTestHost host)
    {
        var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        Assert.True(welcome.GetProperty("transcript").GetBoolean()); // emails are on: the card may offer it
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        Assert.Equal("ack", Code(await SubmitAsync(visitor, ch, "v-1", new { k = "msg", text = "Is the <b>Wuyi</b> oolong in stock?" })));
        var agent = await host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        var answer = await SubmitAsync(agent, ch, "a-1", new { k = "msg", text = "Yes, 4 tins." });
        Assert.Equal("ack", Code(answer));
        Assert.Equal("ack", Code(await SubmitAsync(agent, ch, "a-2", new { k = "edit", target = answer.GetProperty("rev").GetInt64(), text = "Yes, 40 tins." })));
        var wrong = await SubmitAsync(agent, ch, "a-3", new { k = "msg", text = "Sent to the wrong chat" });
        Assert.Equal("ack", Code(await SubmitAsync(agent, ch, "a-4", new { k = "recall", target = wrong.GetProperty("rev").GetInt64() })));

        // A committed file message, as the upload flow stores it (section 9.3): the transcript names the file, never links it.
        var head = await Store.GetRevisionAsync(ch);
        var file = Encoding.UTF8.GetBytes("""{"k":"msg","att":{"id":"f1","name":"receipt.pdf","size":1200,"type":"application/pdf","sha256":"00","thumb":false},"name":"Visitor","role":"visitor"}""");
        var appended = await Store.AppendAsync(ch, head, new OpDraft("v-file", welcome.GetProperty("me").GetProperty("id").GetString()!, Time.GetUtcNow(), file));
        Assert.Equal(AppendStatus.Appended, appended.Status);
        Assert.Equal("ack", Code(await SubmitAsync(agent, ch, "a-5", new { k = "status", status = "closed" })));
        return (ch, visitor, agent);
    }

    [Fact]
    public async Task AskedAfterTheClose_TheTranscriptIsEmailedOnce_InOrder_EditsAndRecallsApplied_FilesAsNames_InTheRequestsLanguage()
    {
        await using var host = await NodeAsync();
        var (ch, visitor, agent) = await ClosedConversationAsync(host);
        await using var v = visitor;
        await using var a = agent;
        Assert.Equal("ack", Code(await SubmitAsync(visitor, ch, "v-t1", new { k = "transcript", email = "ada@example.com", lang = "zh-CN" })));

        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mail = Assert.Single(await Smtp.WaitForAsync(1));
        var key = ch["conv:".Length..];
        Assert.Equal($"kefu.t.1.{key}@shop.kefu.test", mail.MessageId);
        Assert.Equal("ada@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("Tea House：您的对话记录", mail.Subject);
        Assert.Equal("zh-CN", mail.Body!.Headers[HeaderId.ContentLanguage]);
        Assert.StartsWith("<http://shop.kefu.test/kefu/unsubscribe?t=", mail.Headers["List-Unsubscribe"], StringComparison.Ordinal);
        var text = mail.TextBody!;
        var order = new[] { "Is the <b>Wuyi</b> oolong in stock?", "Yes, 40 tins.", "receipt.pdf" }.Select(s => text.IndexOf(s, StringComparison.Ordinal)).ToArray();
        Assert.All(order, i => Assert.True(i >= 0, text));
        Assert.Equal(order.Order(), order); // in the conversation's order
        Assert.DoesNotContain("Yes, 4 tins.", text, StringComparison.Ordinal); // the edit applied
        Assert.DoesNotContain("wrong chat", text, StringComparison.Ordinal); // the recall applied
        Assert.DoesNotContain("/attachments", text + mail.HtmlBody, StringComparison.Ordinal); // a name, no link past the access check
        Assert.Contains("Is the &lt;b&gt;Wuyi&lt;/b&gt; oolong", mail.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Wuyi", mail.HtmlBody, StringComparison.Ordinal);

        // Recorded as sent: more passes, later, send nothing more.
        Time.Advance(TimeSpan.FromHours(1));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Single(Smtp.Messages);
        Assert.Contains((await Store.ReadAsync(EmailState.Channel(key), 0, 20)).Select(o => o.ClientOpId), id => id == "sent:t:1");
    }

    [Fact]
    public async Task HostileRequests_AreRefused_AndNothingIsEmailed()
    {
        await using var host = await NodeAsync();
        var (ch, visitor, agent) = await ClosedConversationAsync(host);
        await using var v = visitor;
        await using var a = agent;

        // Another visitor, naming this conversation: the channel is not theirs.
        await using var mallory = await host.ConnectAsync();
        await mallory.HelloAsync();
        Assert.Equal("forbidden", Code(await SubmitAsync(mallory, ch, "m-1", new { k = "transcript", email = "mallory@example.com" })));

        // An agent may not choose where a visitor's transcript goes.
        Assert.Equal("forbidden", Code(await SubmitAsync(agent, ch, "a-t", new { k = "transcript", email = "alice@example.com" })));

        // Header injection, a second recipient, a display name: one plain address only.
        foreach (var forged in new[] { "ada@example.com\r\nBcc: eve@example.com", "ada@example.com, eve@example.com", "Ada <ada@example.com>", "ada@example.com\nSubject: hi" })
        {
            Assert.Equal("invalid_op", Code(await SubmitAsync(visitor, ch, "v-f" + forged.Length, new { k = "transcript", email = forged })));
        }

        // Bounded per close: three requests are taken, the fourth is refused.
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal("ack", Code(await SubmitAsync(visitor, ch, $"v-t{i}", new { k = "transcript", email = $"ada{i}@example.com" })));
        }

        Assert.Equal("invalid_op", Code(await SubmitAsync(visitor, ch, "v-t4", new { k = "transcript", email = "ada4@example.com" })));

        // The three requests before the pass are one email, to the latest address.
        await Pass(host).RunOnceAsync(CancellationToken.None);
        var mail = Assert.Single(await Smtp.WaitForAsync(1));
        Assert.Equal("ada3@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("Tea House: your conversation transcript", mail.Subject);

        // Reopened by the visitor: no transcript until the next close.
        Assert.Equal("ack", Code(await SubmitAsync(visitor, ch, "v-2", new { k = "msg", text = "One more thing" })));
        Assert.Equal("invalid_op", Code(await SubmitAsync(visitor, ch, "v-t5", new { k = "transcript", email = "ada@example.com" })));
        await Pass(host).RunOnceAsync(CancellationToken.None);
        Assert.Single(Smtp.Messages);
        Assert.DoesNotContain(Smtp.Messages, m => m.To.Mailboxes.Any(x => x.Address.Contains("eve", StringComparison.Ordinal) || x.Address.Contains("mallory", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AskedOnOneNode_WhichStopsBeforeItsPass_TheOtherNodeSendsIt_Once()
    {
        var a = await NodeAsync();
        var (ch, visitor, agent) = await ClosedConversationAsync(a);
        Assert.Equal("ack", Code(await SubmitAsync(visitor, ch, "v-t1", new { k = "transcript", email = "ada@example.com" })));
        await visitor.DisposeAsync();
        await agent.DisposeAsync();
        await a.DisposeAsync(); // gone before any pass: the request is in the conversation's log, not in a queue

        await using var b = await NodeAsync();
        await using var c = await NodeAsync();
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(Pass(b).RunOnceAsync(CancellationToken.None), Pass(c).RunOnceAsync(CancellationToken.None));
        }

        Assert.Single(await Smtp.WaitForAsync(1));
        Time.Advance(TimeSpan.FromMinutes(5)); // past any lease: still one
        await Task.WhenAll(Pass(b).RunOnceAsync(CancellationToken.None), Pass(c).RunOnceAsync(CancellationToken.None));
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task WithEmailsOff_TheWelcomeOffersNoTranscript_AndTheRequestIsRefused()
    {
        await using var host = await KefuTestHost.StartAsync(time: Time);
        await using var visitor = await host.ConnectAsync();
        var welcome = await visitor.HelloAsync();
        Assert.False(welcome.TryGetProperty("transcript", out _));
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        Assert.Equal("invalid_op", Code(await SubmitAsync(visitor, ch, "v-t", new { k = "transcript", email = "ada@example.com" })));
    }
}
