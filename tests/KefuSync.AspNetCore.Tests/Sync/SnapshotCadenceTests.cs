using System.Text;
using System.Text.Json;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.AspNetCore.Tests.Sync;

/// <summary>
/// When a text document is snapshotted: every <c>SnapshotEvery</c> ops, or once per 64 characters of its length in ops
/// when that is more (a snapshot is O(document); per keystroke it must stay small however long the document is).
/// </summary>
public sealed class SnapshotCadenceTests
{
    private static readonly KefuPrincipal Agent = new("agent:a", "A", PrincipalRole.Agent, null, null);

    [Fact]
    public async Task AShortDocument_IsSnapshottedEverySnapshotEveryOps()
    {
        using var services = Build(10);
        var (pipeline, snapshots, channel) = Parts(services, "draft:short");

        await TypeAsync(pipeline, channel, 0, 9, 0);
        Assert.Null(await snapshots.GetSnapshotAsync(channel.Value));
        await TypeAsync(pipeline, channel, 9, 1, 9);
        Assert.Equal(10, (await snapshots.GetSnapshotAsync(channel.Value))!.Revision);
    }

    [Fact]
    public async Task ALongDocument_WaitsOneOpPer64OfItsCharacters()
    {
        using var services = Build(10);
        var (pipeline, snapshots, channel) = Parts(services, "draft:long");
        var text = new string('x', 6_400);
        var first = await pipeline.SubmitAsync(Agent, channel, "paste", 0, Encoding.UTF8.GetBytes($"[\"{text}\"]"), CancellationToken.None);
        Assert.Equal(SubmitResult.Ok(1), first);

        // About 6,500 characters: due after 6,500 / 64 = 101 ops (at revision 101 the document has 6,500), not after 10.
        await TypeAsync(pipeline, channel, 1, 99, 6_400);
        Assert.Null(await snapshots.GetSnapshotAsync(channel.Value));
        await TypeAsync(pipeline, channel, 100, 1, 6_499);
        Assert.Equal(101, (await snapshots.GetSnapshotAsync(channel.Value))!.Revision);
    }

    [Fact]
    public async Task TheSnapshot_ReadsBackAsTheDocument_WithQuotesControlsAndNonAscii()
    {
        using var services = Build(1);
        var (pipeline, snapshots, channel) = Parts(services, "draft:text");
        const string Text = "客服 \"quoted\" \\ back <b>&amp;</b> \u2028 tab\t new\nline 😀";
        var op = JsonSerializer.Serialize(new object[] { Text });
        Assert.True((await pipeline.SubmitAsync(Agent, channel, "one", 0, Encoding.UTF8.GetBytes(op), CancellationToken.None)).Committed);

        var snapshot = await snapshots.GetSnapshotAsync(channel.Value);
        Assert.Equal(Text, JsonSerializer.Deserialize<string>(snapshot!.State.Span));
        var (loaded, revision) = await services.GetRequiredService<TextDocuments>().SnapshotAsync(channel, CancellationToken.None);
        Assert.Equal((Text, 1L), (loaded, revision));
    }

    /// <summary>
    /// Types <paramref name="count"/> one-character inserts at the end of a document that has <paramref name="head"/>
    /// revisions and <paramref name="length"/> characters.
    /// </summary>
    private static async Task TypeAsync(CommitPipeline pipeline, ChannelName channel, long head, int count, int length)
    {
        for (var i = 0; i < count; i++, length++)
        {
            var op = length == 0 ? "[\"y\"]" : $"[{length},\"y\"]";
            var result = await pipeline.SubmitAsync(Agent, channel, $"k{head + i}", head + i, Encoding.UTF8.GetBytes(op), CancellationToken.None);
            Assert.Equal(SubmitResult.Ok(head + i + 1), result);
        }
    }

    private static (CommitPipeline Pipeline, ISnapshotStore Snapshots, ChannelName Channel) Parts(ServiceProvider services, string name)
        => (services.GetRequiredService<CommitPipeline>(), services.GetRequiredService<ISnapshotStore>(), ChannelName.TryParse(name, out var channel) ? channel : throw new ArgumentException(name));

    private static ServiceProvider Build(int snapshotEvery)
        => EngineServices.Build(o => (o.Retention.SnapshotEvery, o.Retention.KeepOpsBehindSnapshot) = (snapshotEvery, 1000));
}
