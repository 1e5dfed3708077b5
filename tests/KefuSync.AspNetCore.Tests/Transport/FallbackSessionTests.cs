using System.Text;
using KefuSync.Protocol;
using KefuSync.Sync;
using KefuSync.Transport;

namespace KefuSync.AspNetCore.Tests.Transport;

/// <summary>The sequence numbers, cursors and the held window of a fallback session (docs/protocol.md §1.2.2).</summary>
public sealed class FallbackSessionTests
{
    private static (FallbackSession Session, ConnectionContext Connection) Create(int window = 16)
    {
        var options = new KefuSyncOptions();
        options.Limits.SendQueueCapacity = window;
        var connection = new ConnectionContext("c1", options, TimeProvider.System);
        return (new FallbackSession(connection, user: null, TimeProvider.System), connection);
    }

    private static byte[] Frame(int i) => Encoding.UTF8.GetBytes($$"""{"t":"pong","q":"{{i}}"}""");

    private static string[] Texts(PullResult result) => [.. result.Frames.Select(f => Encoding.UTF8.GetString(f))];

    [Fact]
    public async Task FramesAreNumberedInOrder_AndAPullContinuesAfterItsCursor()
    {
        var (session, connection) = Create();
        connection.Send(Frame(1));
        connection.Send(Frame(2));
        var first = await session.PullAsync(new PullRequest(0, 0, 0, TimeSpan.Zero), default);
        Assert.Equal(PullStatus.Ok, first.Status);
        Assert.Equal(2, first.Last);
        Assert.Equal([Encoding.UTF8.GetString(Frame(1)), Encoding.UTF8.GetString(Frame(2))], Texts(first));

        connection.Send(Frame(3));
        var again = await session.PullAsync(new PullRequest(1, 1, 0, TimeSpan.Zero), default); // the answer to `first` was lost
        Assert.Equal(3, again.Last);
        Assert.Equal(2, again.Frames.Count); // frames 2 and 3
        Assert.Equal(Encoding.UTF8.GetString(Frame(2)), Texts(again)[0]);

        var next = await session.PullAsync(new PullRequest(3, 3, 0, TimeSpan.Zero), default);
        Assert.Equal(3, next.Last);
        Assert.Empty(next.Frames);
    }

    [Fact]
    public async Task ACursorBehindWhatIsAcknowledged_IsGone_AndEndsTheSession()
    {
        var (session, connection) = Create();
        connection.Send(Frame(1));
        connection.Send(Frame(2));
        await session.PullAsync(new PullRequest(0, 0, 0, TimeSpan.Zero), default);
        await session.PullAsync(new PullRequest(2, 2, 0, TimeSpan.Zero), default);
        Assert.Equal(PullStatus.Gone, (await session.PullAsync(new PullRequest(1, 1, 0, TimeSpan.Zero), default)).Status);
        Assert.Equal(CloseCodes.SlowConsumer, connection.CloseCode);
    }

    [Fact]
    public async Task ACursorAheadOfTheSession_IsABadCursor()
    {
        var (session, _) = Create();
        Assert.Equal(PullStatus.BadCursor, (await session.PullAsync(new PullRequest(5, 5, 0, TimeSpan.Zero), default)).Status);
    }

    [Fact]
    public async Task AStreamThatNeverAcknowledges_KeepsABoundedWindow_AndAResumeFromBeforeItIsGone()
    {
        var (session, connection) = Create(window: 16);
        var stream = await session.PullAsync(new PullRequest(-1, -1, 0, TimeSpan.Zero), default);
        var last = stream.Last;
        for (var i = 1; i <= 40; i++)
        {
            connection.Send(Frame(i));
            var pulled = await session.PullAsync(new PullRequest(last, -1, stream.Stream, TimeSpan.Zero), default);
            Assert.Equal(last + 1, pulled.Last);
            last = pulled.Last;
        }

        // A reconnect after frame 30 is within the window; one after frame 10 is not.
        var resumed = await session.PullAsync(new PullRequest(30, 30, 0, TimeSpan.Zero), default);
        Assert.Equal(10, resumed.Frames.Count);
        Assert.Equal(PullStatus.Gone, (await session.PullAsync(new PullRequest(10, 10, 0, TimeSpan.Zero), default)).Status);
    }

    [Fact]
    public async Task ANewerStream_ReplacesTheOlder_WhoseWaitingPullEnds()
    {
        var (session, connection) = Create();
        var older = await session.PullAsync(new PullRequest(-1, -1, 0, TimeSpan.Zero), default);
        var waiting = session.PullAsync(new PullRequest(older.Last, -1, older.Stream, TimeSpan.FromMinutes(5)), default);
        var newer = await session.PullAsync(new PullRequest(0, 0, 0, TimeSpan.Zero), default);
        Assert.Equal(PullStatus.Replaced, (await waiting).Status);
        Assert.Equal(PullStatus.Replaced, (await session.PullAsync(new PullRequest(older.Last, -1, older.Stream, TimeSpan.Zero), default)).Status);

        connection.Send(Frame(1));
        var continued = await session.PullAsync(new PullRequest(newer.Last, newer.Last, newer.Stream, TimeSpan.Zero), default);
        Assert.Single(continued.Frames);
    }

    [Fact]
    public async Task AClosedSession_DeliversWhatItQueued_WithEnd()
    {
        var (session, connection) = Create();
        connection.Send(Frame(1));
        connection.Close(CloseCodes.TooBig, "frame too large");
        var last = await session.PullAsync(new PullRequest(0, 0, 0, TimeSpan.FromMinutes(5)), default);
        Assert.True(last.End);
        Assert.Single(last.Frames);
        var after = await session.PullAsync(new PullRequest(1, 1, 0, TimeSpan.FromMinutes(5)), default);
        Assert.True(after.End);
        Assert.Empty(after.Frames);
    }
}
