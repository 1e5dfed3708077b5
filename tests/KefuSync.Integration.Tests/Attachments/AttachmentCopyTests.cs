using System.Net;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Attachments;

/// <summary>
/// <c>POST {prefix}/files/{scope}/copy</c> (docs/protocol.md §9.1): a canned reply's file (scope <c>_canned</c>) becomes
/// a file of the conversation it is sent to, so that conversation's visitor may download it and every other visitor gets
/// 404; only agents may copy, and a repeat of a copy is the same attachment, stored once.
/// </summary>
public sealed class AttachmentCopyTests : IAsyncLifetime
{
    private readonly string _files = Path.Combine(Path.GetTempPath(), "kefu-attcopy-" + Guid.NewGuid().ToString("N")[..12]);
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
    public async Task CannedFile_CopiedIntoAConversation_IsItsVisitorsToDownload_AnotherVisitorGets404()
    {
        var canned = AttachmentClient.Agent(_host, "_canned");
        var original = await canned.UploadOkAsync(TestFiles.Png(300, 200), "size-chart", "size chart.png");
        var visitor = AttachmentClient.Visitor(_host);
        var other = AttachmentClient.Visitor(_host);
        var agent = AttachmentClient.Agent(_host, visitor.Scope);

        using var first = await agent.CopyAsync("ins-1", "_canned", original.GetProperty("id").GetString()!);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var copy = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.Clone();
        var id = copy.GetProperty("id").GetString()!;
        Assert.NotEqual(original.GetProperty("id").GetString(), id);
        foreach (var member in new[] { "name", "type", "sha256" })
        {
            Assert.Equal(original.GetProperty(member).GetString(), copy.GetProperty(member).GetString());
        }

        Assert.Equal(original.GetProperty("size").GetInt64(), copy.GetProperty("size").GetInt64());
        Assert.Equal(300, copy.GetProperty("w").GetInt32());
        Assert.True(copy.GetProperty("thumb").GetBoolean());
        Assert.StartsWith($"/kefu/files/{visitor.Scope}/{id}?t=", copy.GetProperty("url").GetString());

        // The conversation's visitor downloads it, file and thumbnail, with its token: the bytes are the canned file's.
        using (var download = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            var bytes = await download.Content.ReadAsByteArrayAsync();
            Assert.Equal(original.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
            Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        }

        using (var thumb = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{id}/thumb"))
        {
            Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
            Assert.Equal("image/webp", thumb.Content.Headers.ContentType!.MediaType);
        }

        // Another visitor: 404 with the exact URL (own token), and the canned original stays the agents' own.
        using (var foreign = await other.GetAsync($"/kefu/files/{visitor.Scope}/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using (var cannedByVisitor = await visitor.GetAsync($"/kefu/files/_canned/{original.GetProperty("id").GetString()}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, cannedByVisitor.StatusCode);
        }

        // A repeat of the copy (a retry): the same attachment, 200, nothing stored twice.
        using (var again = await agent.CopyAsync("ins-1", "_canned", original.GetProperty("id").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(id, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());
        }

        Assert.Equal(3, await CountBlobsAsync($"conv/{visitor.Scope}/")); // file, thumb, meta: once
        Assert.Equal(3, await CountBlobsAsync("canned/")); // the original is untouched
    }

    [Fact]
    public async Task CopiedFile_IsSentAsAMsg_InItsConversationOnly_AndARecallDeletesOnlyTheCopy()
    {
        var canned = AttachmentClient.Agent(_host, "_canned");
        var original = await canned.UploadOkAsync(TestFiles.Pdf, "price-list", "prices.pdf");
        var visitor = AttachmentClient.Visitor(_host);
        var other = AttachmentClient.Visitor(_host);
        var agentFiles = AttachmentClient.Agent(_host, visitor.Scope);
        var copy = JsonDocument.Parse(await (await agentFiles.CopyAsync("ins-2", "_canned", original.GetProperty("id").GetString()!)).Content.ReadAsStringAsync()).RootElement.Clone();
        var id = copy.GetProperty("id").GetString()!;

        await using var agent = await _host.ConnectAsync(agent: "alice");
        await agent.HelloAsync(agent: true);
        // In another conversation the copy is not a file of that conversation: invalid_op, as any foreign attachment.
        await agent.SendAsync(new { t = "submit", c = "a", ch = "conv:" + other.Scope, id = "x-1", rev = 0, op = new { k = "msg", att = new { id } } });
        var refused = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "error" && f.TryGetProperty("id", out var e) && e.GetString() == "x-1");
        Assert.Equal("invalid_op", refused.GetProperty("code").GetString());
        // Nor is the canned original itself a file of any conversation.
        await agent.SendAsync(new { t = "submit", c = "a", ch = "conv:" + visitor.Scope, id = "x-2", rev = 0, op = new { k = "msg", att = new { id = original.GetProperty("id").GetString() } } });
        refused = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "error" && f.TryGetProperty("id", out var e) && e.GetString() == "x-2");
        Assert.Equal("invalid_op", refused.GetProperty("code").GetString());

        var ch = "conv:" + visitor.Scope;
        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "att:" + id, rev = 0, op = new { k = "msg", att = new { id }, text = "Our prices" } });
        var ack = await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "att:" + id);
        var stored = Assert.Single(await _host.Store.ReadAsync(ch, 0, 10));
        Assert.Contains("prices.pdf", System.Text.Encoding.UTF8.GetString(stored.Payload.Span));

        await agent.SendAsync(new { t = "submit", c = "a", ch, id = "r-1", rev = 0, op = new { k = "recall", target = ack.GetProperty("rev").GetInt64() } });
        await agent.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "r-1");
        using (var gone = await visitor.GetAsync($"/kefu/files/{visitor.Scope}/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var stillThere = await canned.GetAsync($"/kefu/files/_canned/{original.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(TestFiles.Pdf, await stillThere.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task TwoAgentsSendingTheSameDraftFile_WithItsOpId_CommitItOnce()
    {
        // The console's rule for files of the shared draft (docs/protocol.md §3): the op id is att:<attachment id>, so
        // whichever agents send the draft, and however often, the file is one message: the server dedupes op ids per
        // channel, whoever submits them.
        var visitor = AttachmentClient.Visitor(_host);
        var files = AttachmentClient.Agent(_host, visitor.Scope);
        var id = (await files.UploadOkAsync(TestFiles.Pdf, "draft-file-1", "terms.pdf")).GetProperty("id").GetString()!;
        var ch = "conv:" + visitor.Scope;
        await using var alice = await _host.ConnectAsync(agent: "alice");
        await alice.HelloAsync(agent: true);
        await using var bob = await _host.ConnectAsync(agent: "bob");
        await bob.HelloAsync(agent: true);

        await alice.SendAsync(new { t = "submit", c = "a", ch, id = "att:" + id, rev = 0, op = new { k = "msg", att = new { id }, text = "Please sign" } });
        var first = await alice.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "att:" + id);
        await bob.SendAsync(new { t = "submit", c = "b", ch, id = "att:" + id, rev = 0, op = new { k = "msg", att = new { id }, text = "Please sign" } });
        var second = await bob.WaitForAsync(f => KefuTestClient.Type(f) == "ack" && f.GetProperty("id").GetString() == "att:" + id);
        Assert.True(second.TryGetProperty("dup", out var dup) && dup.GetBoolean(), second.ToString());
        Assert.Equal(first.GetProperty("rev").GetInt64(), second.GetProperty("rev").GetInt64());
        Assert.Single(await _host.Store.ReadAsync(ch, 0, 10));
    }

    [Fact]
    public async Task Copy_ByAVisitor_IsForbidden_AnUnknownSourceIs404_AndMalformedIsBadRequest()
    {
        var canned = AttachmentClient.Agent(_host, "_canned");
        var original = await canned.UploadOkAsync(TestFiles.Pdf, "p", "p.pdf");
        var cannedId = original.GetProperty("id").GetString()!;
        var visitor = AttachmentClient.Visitor(_host);
        var other = AttachmentClient.Visitor(_host);
        var otherFile = await other.UploadOkAsync(TestFiles.Pdf, "theirs", "theirs.pdf");

        // A visitor may not copy: not a canned file into their own conversation, not another visitor's file either.
        foreach (var (from, att) in new[] { ("_canned", cannedId), (other.Scope, otherFile.GetProperty("id").GetString()!) })
        {
            using var response = await visitor.CopyAsync("v-1", from, att);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("forbidden", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
        }

        Assert.Equal(0, await CountBlobsAsync($"conv/{visitor.Scope}/"));

        // Nobody (no token, no agent login): forbidden too.
        var anonymous = new AttachmentClient(_host.CreateHttpClient(), null, null, visitor.Scope);
        using (var response = await anonymous.CopyAsync("n-1", "_canned", cannedId))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        var agent = AttachmentClient.Agent(_host, visitor.Scope);
        using (var response = await agent.CopyAsync("a-1", "_canned", "AAAAAAAAAAAAAAAAAAAAAA"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("not_found", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
        }

        // The wrong scope for the source: the canned id is not a file of the visitor's conversation.
        using (var response = await agent.CopyAsync("a-2", other.Scope, cannedId))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        foreach (var (id, from, att) in new[] { ("bad id!", "_canned", cannedId), ("a-3", "../etc", cannedId), ("a-4", "_canned", "../../x") })
        {
            using var response = await agent.CopyAsync(id, from, att);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("bad_request", (await AttachmentClient.ErrorOf(response)).GetProperty("code").GetString());
        }

        Assert.Equal(0, await CountBlobsAsync($"conv/{visitor.Scope}/"));
    }

    private async Task<int> CountBlobsAsync(string prefix)
    {
        var count = 0;
        await foreach (var blob in _host.Services.GetRequiredService<IBlobStore>().ListAsync(prefix))
        {
            count++;
        }

        return count;
    }
}
