using System.Net;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Attachments;

/// <summary>
/// The <c>msg</c> op with <c>att</c> (docs/protocol.md §4.2, §9.3, §9.6): it names a file of its own conversation, the op
/// log stores the server's metadata and never the bytes, a recall deletes the file, and server code can post a file.
/// </summary>
public sealed class AttachmentMessageTests : IAsyncLifetime
{
    private readonly string _files = Path.Combine(Path.GetTempPath(), "kefu-attmsg-" + Guid.NewGuid().ToString("N")[..12]);
    private KefuTestHost _host = null!;

    public async Task InitializeAsync() => _host = await KefuTestHost.StartAsync(o => o.Attachments.StoragePath = _files);

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        if (Directory.Exists(_files))
        {
            Directory.Delete(_files, recursive: true);
        }
    }

    [Fact]
    public async Task Welcome_CarriesTheFileLimits()
    {
        await using var client = await _host.ConnectAsync();
        var limits = (await client.HelloAsync()).GetProperty("limits");
        Assert.Equal(20 * 1024 * 1024, limits.GetProperty("maxFile").GetInt64());
        Assert.Equal(40_000_000, limits.GetProperty("maxPixels").GetInt64());
        Assert.Contains("image/png", limits.GetProperty("fileTypes").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task MsgWithAtt_StoresTheServersMetadata_NotTheClientsClaims_AndNeverTheBytes()
    {
        var (token, identity) = _host.Services.GetRequiredService<VisitorTokenService>().IssueAnonymous();
        var files = AttachmentClient.Visitor(_host, identity, token);
        var uploaded = await files.UploadOkAsync(TestFiles.Png(200, 100), "shot-1", "error.png");
        var id = uploaded.GetProperty("id").GetString()!;

        await using var client = await _host.ConnectAsync();
        await client.HelloAsync(token);
        var ch = "conv:" + files.Scope;
        await client.SendAsync(new { t = "sub", c = "tab", ch, rev = 0 });
        await client.WaitForTypeAsync("subbed");
        // The client's own size, type and name are ignored: the server writes the metadata.
        await client.SendAsync(new { t = "submit", c = "tab", ch, id = "m-1", rev = 0, op = new { k = "msg", text = "see this", att = new { id, size = 1, type = "text/html", name = "x.html" } } });
        var op = await client.WaitForAsync(f => KefuTestClient.Type(f) == "op" && f.GetProperty("id").GetString() == "m-1");
        var att = op.GetProperty("op").GetProperty("att");
        Assert.Equal(id, att.GetProperty("id").GetString());
        Assert.Equal("error.png", att.GetProperty("name").GetString());
        Assert.Equal("image/png", att.GetProperty("type").GetString());
        Assert.Equal(uploaded.GetProperty("size").GetInt64(), att.GetProperty("size").GetInt64());
        Assert.Equal(uploaded.GetProperty("sha256").GetString(), att.GetProperty("sha256").GetString());
        Assert.Equal(200, att.GetProperty("w").GetInt32());
        Assert.True(att.GetProperty("thumb").GetBoolean());
        Assert.False(att.TryGetProperty("url", out _));
        Assert.False(att.TryGetProperty("by", out _));
        Assert.Equal("see this", op.GetProperty("op").GetProperty("text").GetString());

        var stored = Assert.Single(await _host.Store.ReadAsync(ch, 0, 10));
        Assert.InRange(stored.Payload.Length, 1, 1024); // metadata only: the PNG itself is larger than this

        // A message that is only a file is fine too; a resend is a duplicate, not a second message.
        var second = await files.UploadOkAsync(TestFiles.Pdf, "doc-1", "invoice.pdf");
        var fileOnly = new { t = "submit", c = "tab", ch, id = "m-2", rev = 0, op = new { k = "msg", att = new { id = second.GetProperty("id").GetString() } } };
        await client.SendAsync(fileOnly);
        await client.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "m-2");
        await client.SendAsync(fileOnly);
        var dup = await client.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "m-2" && f.TryGetProperty("dup", out _));
        Assert.Equal(2, dup.GetProperty("rev").GetInt64());
        Assert.Equal(2, (await _host.Store.ReadAsync(ch, 0, 10)).Count);
    }

    [Fact]
    public async Task MsgWithAtt_OfAnotherConversation_OrUnknown_OrMalformed_IsInvalidOp()
    {
        var owner = AttachmentClient.Visitor(_host);
        var foreign = await owner.UploadOkAsync(TestFiles.Pdf, "mine", "mine.pdf");
        await using var client = await _host.ConnectAsync();
        var welcome = await client.HelloAsync();
        var ch = "conv:" + welcome.GetProperty("conv").GetString();
        object[] atts = [new { id = foreign.GetProperty("id").GetString() }, new { id = "AAAAAAAAAAAAAAAAAAAAAA" }, new { id = "../../etc/passwd" }, "just-a-string"];
        for (var i = 0; i < atts.Length; i++)
        {
            await client.SendAsync(new { t = "submit", c = "tab", ch, id = "bad-" + i, rev = 0, op = new { k = "msg", att = atts[i] } });
            var error = await client.WaitForAsync(f => KefuTestClient.Type(f) == "error" && f.TryGetProperty("id", out var e) && e.GetString() == "bad-" + i);
            Assert.Equal("invalid_op", error.GetProperty("code").GetString());
        }

        Assert.Empty(await _host.Store.ReadAsync(ch, 0, 10));
    }

    [Fact]
    public async Task RecallOfAMessageWithAFile_DeletesTheFile_AndItsUrlsAnswer404()
    {
        var visitor = AttachmentClient.Visitor(_host);
        var agentFiles = AttachmentClient.Agent(_host, visitor.Scope);
        var sent = await agentFiles.UploadOkAsync(TestFiles.Png(), "agent-shot", "wrong.png");
        var id = sent.GetProperty("id").GetString()!;
        await using var agent = await _host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        var ch = "conv:" + visitor.Scope;
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-1", rev = 0, op = new { k = "msg", att = new { id } } });
        var ack = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-1");
        using (var before = await visitor.GetAsync(sent.GetProperty("url").GetString()!, authenticate: false))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "a-2", rev = 0, op = new { k = "recall", target = ack.GetProperty("rev").GetInt64() } });
        await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "a-2");
        foreach (var url in new[] { sent.GetProperty("url").GetString()!, sent.GetProperty("thumbUrl").GetString()! })
        {
            using var after = await visitor.GetAsync(url, authenticate: false);
            Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        }

        await foreach (var blob in _host.Services.GetRequiredService<IBlobStore>().ListAsync($"conv/{visitor.Scope}/{id}/"))
        {
            Assert.Fail($"{blob.Key} survived the recall");
        }
    }

    [Fact]
    public async Task ServerCode_PostsAPdfInvoice_OnceForOneKey_AndTheVisitorDownloadsIt()
    {
        var service = _host.Services.GetRequiredService<IKefuSyncService>();
        var visitor = AttachmentClient.Visitor(_host);
        var bot = new KefuSender("bot:billing", "Billing");
        var first = await service.PostFileAsync(visitor.Scope, new MemoryStream(TestFiles.Pdf), "invoice-2026-12.pdf", bot, "Your invoice", "invoice-2026-12");
        var again = await service.PostFileAsync(visitor.Scope, new MemoryStream(TestFiles.Pdf), "invoice-2026-12.pdf", bot, "Your invoice", "invoice-2026-12");
        Assert.True(first.Committed);
        Assert.True(again.Duplicate);
        var op = Assert.Single(await service.ReadAsync("conv:" + visitor.Scope, 0));
        using var payload = JsonDocument.Parse(op.Payload);
        var att = payload.RootElement.GetProperty("att");
        Assert.Equal("application/pdf", att.GetProperty("type").GetString());
        using var download = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{att.GetProperty("id").GetString()}");
        Assert.Equal(TestFiles.Pdf, await download.Content.ReadAsByteArrayAsync());

        var refused = await service.PostFileAsync(visitor.Scope, new MemoryStream(Encoding.UTF8.GetBytes("<html><script>x</script></html>")), "page.html", bot);
        Assert.False(refused.Committed);
        Assert.Equal("type_not_allowed", refused.ErrorCode);
    }
}
