using System.Text;
using KefuSync.Ot;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.AspNetCore.Tests.Sync;

/// <summary>
/// Bounded dedupe on text channels (docs/protocol.md §4.1, IOpStore rule 3): <c>{p}-{n}</c> ids are sequenced and the
/// store keeps one high-water mark per client; message ids and the server's own ids are never sequenced.
/// </summary>
public sealed class SequencedIdsTests
{
    private static readonly KefuPrincipal Agent = new("agent:1", "Agent", PrincipalRole.Agent, null, null);

    [Theory]
    [InlineData("tab7-12", "tab7", 12L)]
    [InlineData("a-b-3", "a-b", 3L)]
    [InlineData("x-1", "x", 1L)]
    [InlineData("~-999999999", "~", 999999999L)]
    [InlineData("Zq0_9-40", "Zq0_9", 40L)]
    public void TryParseSequenced_ReadsThePrefixAndTheNumberAfterTheLastDash(string id, string prefix, long number)
    {
        Assert.True(Identifiers.TryParseSequenced(id, out var p, out var n));
        Assert.Equal((prefix, number), (p, n));
    }

    [Theory]
    [InlineData("tab7-012")] // a leading zero: not the counter's spelling
    [InlineData("tab7-0")]
    [InlineData("-3")] // no prefix
    [InlineData("tab7-")]
    [InlineData("tab7")]
    [InlineData("x-1~")] // the server's ids end in '~'
    [InlineData("x-1.5")]
    [InlineData("x-1234567890")] // 10 digits
    [InlineData("6f1c2a4e-9b3d-4c1e-8a7f-123456789012")] // a UUID whose last group is all digits
    [InlineData("x-١٢")] // Arabic-Indic digits are not ASCII digits
    public void TryParseSequenced_RefusesEveryOtherShape(string id)
    {
        Assert.False(Identifiers.TryParseSequenced(id, out var prefix, out _));
        Assert.Null(prefix);
    }

    [Fact]
    public async Task HostApiIds_AreNeverSequenced_SoAnEarlierIdCommittedLaterIsNotADuplicate()
    {
        // Host code (IKefuSyncService, the REST API) may have several ops in flight with ids like "one-12", "one-13":
        // the second may commit first. Only a client's submit frames are sequenced (docs/protocol.md §4.1).
        using var services = Build();
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var channel = Name("draft:host");

        Assert.Equal(SubmitResult.Ok(1), await pipeline.SubmitAsync(Agent, channel, "one-13", 0, Insert(0, "b"), CancellationToken.None));
        var earlier = await pipeline.SubmitAsync(Agent, channel, "one-12", 0, Insert(0, "a"), CancellationToken.None);
        Assert.Equal(SubmitResult.Ok(2), earlier);
        Assert.Equal(SubmitResult.Dup(2), await pipeline.SubmitAsync(Agent, channel, "one-12", 0, Insert(0, "a"), CancellationToken.None));
    }

    [Fact]
    public async Task TextChannel_KeepsOneMarkPerClient_NotOneIdPerKeystroke()
    {
        using var services = Build(o => (o.Retention.SnapshotEvery, o.Retention.KeepOpsBehindSnapshot) = (50, 20));
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var store = (InMemoryOpStore)services.GetRequiredService<IOpStore>();
        var channel = Name("draft:c1");

        var revision = 0L;
        for (var i = 1; i <= 500; i++)
        {
            var result = await pipeline.SubmitAsync(Agent, channel, "tab-" + i, revision, Insert(revision, "x"), CancellationToken.None, fromClientFrame: true);
            Assert.Equal(SubmitResult.Ok(i), result);
            revision = result.Revision;
        }

        Assert.Equal(1, store.DedupeEntries); // the mark of "tab"; no id is kept

        // A keystroke resent after trimming is still answered with its revision (by the mark), never applied twice.
        var resend = await pipeline.SubmitAsync(Agent, channel, "tab-3", 2, Insert(2, "x"), CancellationToken.None, fromClientFrame: true);
        Assert.True(resend.Committed);
        Assert.True(resend.Duplicate);
        Assert.Equal(500, await store.GetRevisionAsync(channel.Value));
    }

    [Fact]
    public async Task TextChannel_WithUnsequencedIds_ForgetsThemWithTheirTrimmedOps()
    {
        using var services = Build(o => (o.Retention.SnapshotEvery, o.Retention.KeepOpsBehindSnapshot) = (50, 20));
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var store = (InMemoryOpStore)services.GetRequiredService<IOpStore>();
        var channel = Name("note:c1");

        var revision = 0L;
        for (var i = 1; i <= 500; i++)
        {
            var result = await pipeline.SubmitAsync(Agent, channel, Guid.NewGuid().ToString(), revision, Insert(revision, "y"), CancellationToken.None, fromClientFrame: true);
            Assert.True(result.Committed);
            revision = result.Revision;
        }

        // Only the retained ops' ids: at most a snapshot interval plus the ops kept behind the snapshot.
        Assert.InRange(store.DedupeEntries, 1, 50 + 20);
    }

    /// <summary>
    /// The client sent n to this node, lost the connection, and sent n + 1 (with n's text) to another node, which
    /// committed it. When this node's append of n comes back Duplicate at the revision it would have written, that is
    /// n + 1's revision, not its own append: n must not be applied to this node's document.
    /// </summary>
    [Fact]
    public async Task LateOp_OvertakenByItsClientsNextOpOnAnotherNode_IsADuplicate_AndNotApplied()
    {
        using var services = Build();
        var pipeline = services.GetRequiredService<CommitPipeline>();
        var store = services.GetRequiredService<IOpStore>();
        var documents = services.GetRequiredService<TextDocuments>();
        var channel = Name("draft:c2");
        Assert.Equal(("", 0L), await documents.SnapshotAsync(channel, CancellationToken.None)); // this node holds the document at 0

        // The other node commits "tab-2" (its text includes what "tab-1" typed) straight into the shared store.
        var other = new OpDraft("tab-2", Agent.Id, DateTimeOffset.UnixEpoch, Encoding.UTF8.GetBytes("[\"hello\"]")) { Sequence = new OpSequence("tab", 2) };
        Assert.Equal(AppendResult.Appended(1), await store.AppendAsync(channel.Value, 0, other, CancellationToken.None));

        var late = await pipeline.SubmitAsync(Agent, channel, "tab-1", 0, Encoding.UTF8.GetBytes("[\"hel\"]"), CancellationToken.None, fromClientFrame: true);
        Assert.Equal(SubmitResult.Dup(1), late);

        // The next op of the client catches this node up: the document is the store's, with no "hel" applied on top.
        Assert.Equal(SubmitResult.Ok(2), await pipeline.SubmitAsync(Agent, channel, "tab-3", 1, Encoding.UTF8.GetBytes("[5,\"!\"]"), CancellationToken.None, fromClientFrame: true));
        Assert.Equal(("hello!", 2L), await documents.SnapshotAsync(channel, CancellationToken.None));
        Assert.Equal(2, await store.GetRevisionAsync(channel.Value, CancellationToken.None));
    }

    [Fact]
    public async Task MessageIds_AreNeverSequenced_ALowerNumberIsANewMessage()
    {
        using var services = Build();
        var kefu = services.GetRequiredService<IKefuSyncService>();
        var bot = new KefuSender("bot:welcome", "Welcome");

        Assert.True((await kefu.PostMessageAsync("m1", "second", bot, "bot-2")).Committed);
        var first = await kefu.PostMessageAsync("m1", "first", bot, "bot-1");
        Assert.True(first.Committed);
        Assert.False(first.Duplicate);
        Assert.Equal(2, first.Revision);
        Assert.True((await kefu.PostMessageAsync("m1", "first", bot, "bot-1")).Duplicate);
    }

    [Fact]
    public async Task ServerMadeIds_AreNeverSequenced()
    {
        using var services = Build();
        var kefu = services.GetRequiredService<IKefuSyncService>();
        var store = services.GetRequiredService<IOpStore>();
        var bot = new KefuSender("bot:fill", "Fill");

        for (var i = 0; i < 20; i++)
        {
            var result = await kefu.SubmitTextOperationAsync("draft:c3", i, TextOperation.Parse(i == 0 ? "[\"a\"]" : $"[{i},\"a\"]"), bot);
            Assert.Equal(i + 1, result.Revision);
        }

        var ops = await store.ReadAsync("draft:c3", 0, 100, CancellationToken.None);
        Assert.Equal(20, ops.Count);
        Assert.All(ops, o => Assert.False(Identifiers.TryParseSequenced(o.ClientOpId, out _, out _), o.ClientOpId));
        Assert.Equal(20, ops.Select(o => o.ClientOpId).Distinct().Count());
    }

    private static byte[] Insert(long length, string text) =>
        Encoding.UTF8.GetBytes(length == 0 ? $"[\"{text}\"]" : $"[{length},\"{text}\"]");

    private static ChannelName Name(string value) =>
        ChannelName.TryParse(value, out var name) ? name : throw new ArgumentException(value, nameof(value));

    private static ServiceProvider Build(Action<KefuSyncOptions>? configure = null) => EngineServices.Build(configure);
}
