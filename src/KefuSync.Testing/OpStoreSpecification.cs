using System.Text;
using KefuSync.Stores;
using Xunit;

namespace KefuSync.Testing;

/// <summary>
/// The specification of <see cref="IOpStore"/> and <see cref="ISnapshotStore"/>: every store inherits this class and must
/// pass every test, unchanged. It is the executable form of the rules in the remarks of both interfaces.
/// </summary>
/// <remarks>
/// <para><b>Writing a store.</b> Derive a test class, implement <see cref="CreateStoreAsync"/> (and dispose what it made in
/// <see cref="DisposeStoreAsync"/>), then make the tests pass. Each test uses fresh channel names
/// (<see cref="NewChannel"/>), so one store instance, database or server may serve every test, in parallel with other classes.
/// What the tests demand, in short:</para>
/// <list type="bullet">
/// <item><b>Revisions</b> start at 1 and are consecutive per channel; a channel never written has revision 0.</item>
/// <item><b>One atomic step</b> checks the client op id, checks that the head equals <c>expectedRevision</c> and writes
/// <c>expectedRevision + 1</c>: a Lua script, a transaction under unique keys, or a lock. Read-then-write without such a
/// guard fails <see cref="ConcurrentAppenders_RetryingOnConflict_ProduceConsecutiveRevisions_WithEveryOpExactlyOnce"/> and
/// <see cref="ConcurrentResends_OfOneClientOpId_AppendExactlyOnce"/>.</item>
/// <item><b>Conflicts and duplicates are results</b>: <see cref="AppendStatus.Conflict"/> carries the head,
/// <see cref="AppendStatus.Duplicate"/> the original revision, and neither writes anything. The duplicate check comes first,
/// whatever <c>expectedRevision</c> the resend carries.</item>
/// <item><b>Client op ids</b> of ops without a sequence are remembered per channel for as long as their op is retained
/// (forever, unless trimming removes the op: then the id goes with it). An op with a <see cref="OpDraft.Sequence"/> is a
/// duplicate when its number is at most the highest committed for its client on the channel; only that high-water mark
/// (number and revision) is kept, and trimming keeps it.</item>
/// <item><b>Payloads</b> are opaque bytes and come back byte for byte; the store copies them on append (the caller's buffer
/// may be pooled). Timestamps come back as the same instant, to at least millisecond precision (the offset may be
/// normalised to UTC).</item>
/// <item><b>Reads</b>: <see cref="IOpStore.ReadAsync"/> pages forward, <see cref="IOpStore.ReadBeforeAsync"/> pages backward,
/// both in ascending order; out-of-range bounds and <c>maxCount &lt;= 0</c> give an empty list, never an exception.</item>
/// <item><b>Snapshots</b> (optional capability): newer wins; trimming never goes past the latest snapshot, removes only
/// ops and the ids of those without a sequence (the head and the sequence marks stay), and leaves a gap readers can see.</item>
/// <item><b>Exceptions</b> mean the store is unreachable or broken; the caller retries. Nothing in this class expects one.</item>
/// </list>
/// </remarks>
public abstract class OpStoreSpecification : IAsyncLifetime
{
    /// <summary>A whole-millisecond instant with a non-UTC offset, so that stores normalising to UTC still compare equal.</summary>
    protected static readonly DateTimeOffset BaseTime = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.FromHours(8));

    private IOpStore? _store;

    /// <summary>Creates the specification; a derived class provides the store (<see cref="CreateStoreAsync"/>).</summary>
    protected OpStoreSpecification()
    {
    }

    /// <summary>The store under test, created once per test by <see cref="CreateStoreAsync"/>.</summary>
    protected IOpStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>The store's snapshot capability; fails the test when the store does not implement it.</summary>
    protected ISnapshotStore Snapshots =>
        Store as ISnapshotStore ?? throw new Xunit.Sdk.XunitException($"{Store.GetType().Name} does not implement ISnapshotStore.");

    /// <summary>
    /// Whether the store implements <see cref="ISnapshotStore"/>. Override with false for a store without snapshots: the
    /// snapshot tests then only check that it really does not implement the interface.
    /// </summary>
    protected virtual bool SupportsSnapshots => true;

    /// <summary>Parallel appenders in the concurrency test. Lower it only for stores that serialise writers (e.g. SQLite).</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Operations each appender commits in the concurrency test.</summary>
    protected virtual int OpsPerWriter => 20;

    /// <summary>Creates (or returns a shared) store for one test.</summary>
    protected abstract Task<IOpStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made for this test; nothing by default.</summary>
    protected virtual Task DisposeStoreAsync(IOpStore store) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }
    }

    /// <summary>A channel name no other test uses (valid per the contract: ASCII <c>[A-Za-z0-9:_.-]</c>, at most 128).</summary>
    protected static string NewChannel(string purpose = "spec") => $"{purpose}:{Guid.NewGuid():N}";

    /// <summary>An op draft with a JSON payload.</summary>
    protected static OpDraft Draft(string clientOpId, string json = "{\"t\":\"msg\"}", string author = "visitor:1", DateTimeOffset? timestamp = null) =>
        new(clientOpId, author, timestamp ?? BaseTime, Encoding.UTF8.GetBytes(json));

    /// <summary>A draft with id <c>{client}-{number}</c> and that <see cref="OpDraft.Sequence"/>, as KefuSync appends a text op.</summary>
    protected static OpDraft Sequenced(string client, long number, string json = "[\"x\"]") =>
        Draft($"{client}-{number}", json) with { Sequence = new OpSequence(client, number) };

    /// <summary>Appends <paramref name="count"/> ops (ids <c>op-1</c>…, without a sequence) to a fresh channel and returns it.</summary>
    protected async Task<string> ChannelWithOpsAsync(int count, string purpose = "spec")
    {
        var channel = NewChannel(purpose);
        for (var i = 1; i <= count; i++)
        {
            var result = await Store.AppendAsync(channel, i - 1, Draft($"op-{i}", $"{{\"n\":{i}}}", timestamp: BaseTime.AddSeconds(i)));
            // A store that retries internally after a lost reply may answer its own append with Duplicate(i): the op is
            // at i either way (IOpStore remarks, rule 4), and callers treat it as committed.
            Assert.True(result == AppendResult.Appended(i) || result == AppendResult.Duplicate(i), $"append {i}: {result}");
        }

        return channel;
    }

    /// <summary>Every op still stored, read forward in pages.</summary>
    protected async Task<List<OpRecord>> ReadAllAsync(string channel, int pageSize = 100)
    {
        var all = new List<OpRecord>();
        var after = 0L;
        while (true)
        {
            var page = await Store.ReadAsync(channel, after, pageSize);
            if (page.Count == 0)
            {
                return all;
            }

            all.AddRange(page);
            after = page[^1].Revision;
        }
    }

    private static long[] Revisions(IEnumerable<OpRecord> ops) => ops.Select(o => o.Revision).ToArray();

    private static long[] Range(long from, long toInclusive) =>
        from > toInclusive ? [] : Enumerable.Range((int)from, (int)(toInclusive - from + 1)).Select(i => (long)i).ToArray();

    // ---------------------------------------------------------------- revisions

    /// <summary>A channel never written has revision 0 and reads as empty in both directions.</summary>
    [Fact]
    public async Task Revision_IsZero_ForChannelNeverWritten()
    {
        var channel = NewChannel();
        Assert.Equal(0, await Store.GetRevisionAsync(channel));
        Assert.Empty(await Store.ReadAsync(channel, 0, 10));
        Assert.Empty(await Store.ReadBeforeAsync(channel, long.MaxValue, 10));
    }

    /// <summary>Appends get revisions 1, 2, 3… and the head follows them.</summary>
    [Fact]
    public async Task Append_AssignsConsecutiveRevisions_StartingAtOne()
    {
        var channel = NewChannel();
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(AppendResult.Appended(i), await Store.AppendAsync(channel, i - 1, Draft($"id-{i}")));
            Assert.Equal(i, await Store.GetRevisionAsync(channel));
        }

        Assert.Equal(Range(1, 5), Revisions(await ReadAllAsync(channel)));
    }

    /// <summary>An append behind the head is a conflict carrying the head; nothing is written or remembered.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task Append_ReturnsConflictWithHead_AndWritesNothing_WhenExpectedRevisionIsBehind(long expected)
    {
        var channel = await ChannelWithOpsAsync(2);

        var result = await Store.AppendAsync(channel, expected, Draft("late", "{\"late\":true}"));

        Assert.Equal(AppendResult.Conflict(2), result);
        Assert.Equal(2, await Store.GetRevisionAsync(channel));
        Assert.Equal(Range(1, 2), Revisions(await ReadAllAsync(channel)));
        // Nothing was remembered either: the same client op id appends normally once the client has caught up.
        Assert.Equal(AppendResult.Appended(3), await Store.AppendAsync(channel, 2, Draft("late", "{\"late\":true}")));
    }

    /// <summary>An append ahead of the head is a conflict too (writing it would leave a gap).</summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 7)]
    [InlineData(3, 4)]
    [InlineData(3, 1000)]
    public async Task Append_ReturnsConflictWithHead_AndWritesNothing_WhenExpectedRevisionIsAhead(int head, long expected)
    {
        var channel = await ChannelWithOpsAsync(head);

        var result = await Store.AppendAsync(channel, expected, Draft("ahead"));

        // Ahead of the head is a conflict too; writing expected + 1 would leave a gap.
        Assert.Equal(AppendResult.Conflict(head), result);
        Assert.Equal(head, await Store.GetRevisionAsync(channel));
        Assert.Equal(Range(1, head), Revisions(await ReadAllAsync(channel)));
    }

    // ---------------------------------------------------------------- idempotency

    /// <summary>A resend of a committed client op id answers Duplicate with the original revision.</summary>
    [Fact]
    public async Task Append_ReturnsDuplicateWithOriginalRevision_WhenClientOpIdRepeats()
    {
        var channel = await ChannelWithOpsAsync(3);

        // op-2 was committed at revision 2; its resend with the same expected revision is acknowledged, not re-appended.
        Assert.Equal(AppendResult.Duplicate(2), await Store.AppendAsync(channel, 1, Draft("op-2", "{\"n\":2}")));
        Assert.Equal(3, await Store.GetRevisionAsync(channel));
    }

    /// <summary>The duplicate check comes before the revision check, whatever expected revision the resend carries.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(99)]
    [InlineData(-5)]
    public async Task Duplicate_IsReturned_WhateverExpectedRevisionTheResendCarries(long expected)
    {
        var channel = await ChannelWithOpsAsync(4);

        // Expected revision 4 equals the head: a store that checked the revision first would append op-2 a second time.
        // Any other value would be a conflict: a store that checked the revision first would answer Conflict.
        Assert.Equal(AppendResult.Duplicate(2), await Store.AppendAsync(channel, expected, Draft("op-2")));
        Assert.Equal(4, await Store.GetRevisionAsync(channel));
        Assert.Equal(Range(1, 4), Revisions(await ReadAllAsync(channel)));
    }

    /// <summary>A duplicate writes nothing, even when its payload and author differ from the original.</summary>
    [Fact]
    public async Task Duplicate_WritesNothing_EvenWithADifferentPayloadAndAuthor()
    {
        var channel = await ChannelWithOpsAsync(2);

        var result = await Store.AppendAsync(channel, 2, Draft("op-1", "{\"changed\":true}", author: "someone-else"));

        Assert.Equal(AppendResult.Duplicate(1), result);
        var ops = await ReadAllAsync(channel);
        Assert.Equal(Range(1, 2), Revisions(ops));
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(ops[0].Payload.Span));
        Assert.Equal("visitor:1", ops[0].Author);
    }

    /// <summary>The same client op id in two channels is two different ops.</summary>
    [Fact]
    public async Task ClientOpIds_AreScopedToTheirChannel()
    {
        var a = NewChannel();
        var b = NewChannel();

        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(a, 0, Draft("shared-id")));
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(b, 0, Draft("shared-id")));
        Assert.Equal(AppendResult.Duplicate(1), await Store.AppendAsync(b, 1, Draft("shared-id")));
    }

    /// <summary>Racing resends of one client op id append it exactly once; the others get Duplicate, never Conflict.</summary>
    [Fact]
    public async Task ConcurrentResends_OfOneClientOpId_AppendExactlyOnce()
    {
        var channel = NewChannel();
        const int senders = 12;

        // Every tab / retry of one logical submit races with the same client op id and the same expected revision.
        var results = await Task.WhenAll(Enumerable.Range(0, senders).Select(i =>
            Task.Run(() => Store.AppendAsync(channel, 0, Draft("one-submit", $"{{\"copy\":{i}}}")))));

        Assert.Single(results, r => r.Status == AppendStatus.Appended);
        Assert.All(results, r => Assert.Equal(1, r.Revision));
        Assert.All(results, r => Assert.NotEqual(AppendStatus.Conflict, r.Status));
        Assert.Equal(1, await Store.GetRevisionAsync(channel));
        Assert.Single(await ReadAllAsync(channel));
    }

    // ---------------------------------------------------------------- sequenced ids (text channels)

    /// <summary>A sequenced op is a duplicate when its number is at or below its client's mark: the mark's revision comes back, whatever the expected revision.</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(99)]
    public async Task Sequenced_IsDuplicate_AtOrBelowItsClientsMark_WhateverExpectedRevision(long expected)
    {
        var channel = NewChannel("text");
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(channel, 0, Sequenced("tab", 1)));
        Assert.Equal(AppendResult.Appended(2), await Store.AppendAsync(channel, 1, Sequenced("tab", 2)));
        Assert.Equal(AppendResult.Appended(3), await Store.AppendAsync(channel, 2, Sequenced("other", 1)));

        // Equal to the mark: the original revision. Below it: the mark's revision (the client's later op covers it), or the
        // op's own revision from a store that also remembers the ids of the sequenced ops it retains (IOpStore rule 3).
        Assert.Equal(AppendResult.Duplicate(2), await Store.AppendAsync(channel, expected, Sequenced("tab", 2, "[\"again\"]")));
        Assert.Contains(await Store.AppendAsync(channel, expected, Sequenced("tab", 1, "[\"late\"]")), new[] { AppendResult.Duplicate(2), AppendResult.Duplicate(1) });
        Assert.Equal(AppendResult.Duplicate(3), await Store.AppendAsync(channel, expected, Sequenced("other", 1)));
        Assert.Equal(3, await Store.GetRevisionAsync(channel));
        Assert.Equal(["tab-1", "tab-2", "other-1"], (await ReadAllAsync(channel)).Select(o => o.ClientOpId));
    }

    /// <summary>A higher number appends and raises the mark; numbers may skip; marks belong to one client on one channel.</summary>
    [Fact]
    public async Task Sequenced_HigherNumber_Appends_AndMarksAreScopedToClientAndChannel()
    {
        var channel = NewChannel("text");
        var elsewhere = NewChannel("text");
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(channel, 0, Sequenced("a", 5)));
        Assert.Equal(AppendResult.Duplicate(1), await Store.AppendAsync(channel, 1, Sequenced("a", 3)));
        Assert.Equal(AppendResult.Appended(2), await Store.AppendAsync(channel, 1, Sequenced("a", 9)));
        Assert.Equal(AppendResult.Duplicate(2), await Store.AppendAsync(channel, 2, Sequenced("a", 6)));

        // The prefix is the client: "a-b" is not "a", and "ab" is not "a".
        Assert.Equal(AppendResult.Appended(3), await Store.AppendAsync(channel, 2, Sequenced("a-b", 1)));
        Assert.Equal(AppendResult.Appended(4), await Store.AppendAsync(channel, 3, Sequenced("ab", 2)));
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(elsewhere, 0, Sequenced("a", 1)));

        // A refused append (conflict) does not raise the mark.
        Assert.Equal(AppendResult.Conflict(4), await Store.AppendAsync(channel, 1, Sequenced("a", 20)));
        Assert.Equal(AppendResult.Appended(5), await Store.AppendAsync(channel, 4, Sequenced("a", 10)));
    }

    /// <summary>The id of an op appended without a sequence still dedupes a sequenced append of the same id (ops committed before sequences existed).</summary>
    [Fact]
    public async Task Sequenced_IsDuplicate_OfAnIdRememberedWithoutSequence()
    {
        var channel = NewChannel("text");
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(channel, 0, Draft("tab-4")));
        Assert.Equal(AppendResult.Duplicate(1), await Store.AppendAsync(channel, 1, Sequenced("tab", 4)));
        Assert.Equal(1, await Store.GetRevisionAsync(channel));
        Assert.Single(await ReadAllAsync(channel));
    }

    /// <summary>Racing resends of one sequenced op append it exactly once; the others get Duplicate, never Conflict.</summary>
    [Fact]
    public async Task ConcurrentResends_OfOneSequencedOp_AppendExactlyOnce()
    {
        var channel = NewChannel("text");
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(channel, 0, Sequenced("tab", 1)));

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(() => Store.AppendAsync(channel, 1, Sequenced("tab", 2, $"[\"copy {i}\"]")))));

        Assert.Single(results, r => r.Status == AppendStatus.Appended);
        Assert.All(results, r => Assert.Equal(2, r.Revision));
        Assert.All(results, r => Assert.NotEqual(AppendStatus.Conflict, r.Status));
        Assert.Equal(2, await Store.GetRevisionAsync(channel));
        Assert.Equal(2, (await ReadAllAsync(channel)).Count);
    }

    /// <summary>The lookup with a sequence answers as the append's duplicate check would, and writes nothing; so does IOpStore's default.</summary>
    [Fact]
    public async Task FindClientOp_WithSequence_AnswersAsTheDuplicateCheck_AlsoTheDefaultImplementation()
    {
        var channel = NewChannel("text");
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(channel, 0, Sequenced("tab", 1)));
        Assert.Equal(AppendResult.Appended(2), await Store.AppendAsync(channel, 1, Sequenced("tab", 4)));
        Assert.Equal(AppendResult.Appended(3), await Store.AppendAsync(channel, 2, Draft("uuid-like")));

        foreach (var store in new[] { Store, new OpStoreWithoutLookup(Store) })
        {
            Assert.Equal(2, await store.FindDuplicateAsync(channel, "tab-4", new OpSequence("tab", 4)));
            Assert.Equal(2, await store.FindDuplicateAsync(channel, "tab-2", new OpSequence("tab", 2)));
            Assert.Null(await store.FindDuplicateAsync(channel, "tab-5", new OpSequence("tab", 5)));
            Assert.Null(await store.FindDuplicateAsync(channel, "new-1", new OpSequence("new", 1)));
            Assert.Null(await store.FindDuplicateAsync(NewChannel("text"), "tab-1", new OpSequence("tab", 1)));
            Assert.Equal(3, await store.FindDuplicateAsync(channel, "uuid-like", null));
            Assert.Null(await store.FindDuplicateAsync(channel, "other", null));
        }

        Assert.Equal(3, await Store.GetRevisionAsync(channel));
        Assert.Equal(AppendResult.Appended(4), await Store.AppendAsync(channel, 3, Sequenced("tab", 5))); // the lookups reserved nothing
    }

    // ---------------------------------------------------------------- client op lookup

    /// <summary>A committed client op id is found at its original revision; an id never appended, or on another channel, is null.</summary>
    [Fact]
    public async Task FindClientOp_ReturnsTheOriginalRevision_OrNullForAnIdNeverAppended()
    {
        var channel = await ChannelWithOpsAsync(4);

        Assert.Equal(1, await Store.FindClientOpAsync(channel, "op-1"));
        Assert.Equal(3, await Store.FindClientOpAsync(channel, "op-3"));
        Assert.Null(await Store.FindClientOpAsync(channel, "op-5"));
        Assert.Null(await Store.FindClientOpAsync(channel, "OP-1")); // ids are compared exactly
        Assert.Null(await Store.FindClientOpAsync(NewChannel(), "op-1")); // a channel never written
    }

    /// <summary>Looking an id up writes nothing and reserves nothing: the head stays, and the id can still be appended.</summary>
    [Fact]
    public async Task FindClientOp_WritesNothing_AndIsScopedToItsChannel()
    {
        var a = await ChannelWithOpsAsync(2);
        var b = NewChannel();

        Assert.Null(await Store.FindClientOpAsync(b, "op-2"));
        Assert.Null(await Store.FindClientOpAsync(a, "unknown"));
        Assert.Equal(2, await Store.GetRevisionAsync(a));
        Assert.Equal(0, await Store.GetRevisionAsync(b));
        Assert.Equal(Range(1, 2), Revisions(await ReadAllAsync(a)));
        Assert.Equal(AppendResult.Appended(3), await Store.AppendAsync(a, 2, Draft("unknown"))); // the lookup reserved nothing
    }

    /// <summary>The lookup forgets the ids of trimmed ops without a sequence, knows those retained, and knows sequenced ops by their mark after any trim.</summary>
    [Fact]
    public async Task FindClientOp_AfterTrim_ForgetsTrimmedIds_AndKeepsSequenceMarks()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = await ChannelWithOpsAsync(6);
        Assert.Equal(AppendResult.Appended(7), await Store.AppendAsync(channel, 6, Sequenced("tab", 3)));
        Assert.Equal(AppendResult.Appended(8), await Store.AppendAsync(channel, 7, Draft("kept")));
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(7, "\"s7\""u8.ToArray()));
        Assert.Equal(7, await Snapshots.TrimAsync(channel, 7));

        Assert.Null(await Store.FindClientOpAsync(channel, "op-2"));
        Assert.Null(await Store.FindClientOpAsync(channel, "op-6"));
        Assert.Equal(8, await Store.FindClientOpAsync(channel, "kept"));
        Assert.Equal(7, await Store.FindDuplicateAsync(channel, "tab-3", new OpSequence("tab", 3)));
        Assert.Equal(7, await Store.FindDuplicateAsync(channel, "tab-1", new OpSequence("tab", 1)));
    }

    /// <summary>IOpStore's default implementation (for stores that do not implement the lookup) answers the same, and writes nothing.</summary>
    [Fact]
    public async Task FindClientOp_DefaultImplementation_GivesTheSameAnswers_AndWritesNothing()
    {
        // A store that does not implement the lookup gets IOpStore's default, built on rules 2 and 3 of the append.
        IOpStore fallback = new OpStoreWithoutLookup(Store);
        var channel = await ChannelWithOpsAsync(3);

        Assert.Equal(2, await fallback.FindClientOpAsync(channel, "op-2"));
        Assert.Null(await fallback.FindClientOpAsync(channel, "op-9"));
        Assert.Null(await fallback.FindClientOpAsync(NewChannel(), "op-1"));
        Assert.Equal(3, await Store.GetRevisionAsync(channel));
        Assert.Equal(Range(1, 3), Revisions(await ReadAllAsync(channel)));
        Assert.Null(await Store.FindClientOpAsync(channel, "op-9"));
    }

    // ---------------------------------------------------------------- payloads

    /// <summary>Payload, author, client op id and timestamp come back as written (non-ASCII text included).</summary>
    [Fact]
    public async Task Payload_Author_ClientOpId_AndTimestamp_RoundTrip()
    {
        var channel = NewChannel();
        var json = "{\"text\":\"你好，客服 👋 — ¿qué tal? Ünïcödé\",\"emoji\":\"🧑‍💻\"}";
        var timestamp = new DateTimeOffset(2024, 2, 29, 23, 59, 58, 123, TimeSpan.FromHours(-5));
        var clientOpId = "tab-7f3a_9:0001.x-~!";

        await Store.AppendAsync(channel, 0, new OpDraft(clientOpId, "agent:李雷", timestamp, Encoding.UTF8.GetBytes(json)));

        var op = Assert.Single(await Store.ReadAsync(channel, 0, 10));
        Assert.Equal(1, op.Revision);
        Assert.Equal(clientOpId, op.ClientOpId);
        Assert.Equal("agent:李雷", op.Author);
        Assert.Equal(timestamp, op.Timestamp); // the same instant; the offset may come back as UTC
        Assert.Equal(json, Encoding.UTF8.GetString(op.Payload.Span));
    }

    /// <summary>Payload bytes are opaque: every byte value, 256 KiB and empty payloads come back byte for byte.</summary>
    [Fact]
    public async Task Payload_BytesComeBackExactly_AllByteValues_Large_AndEmpty()
    {
        var channel = NewChannel();
        var everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var large = new byte[256 * 1024];
        new Random(42).NextBytes(large);
        byte[][] payloads = [everyByte, large, [], "\0\r\n"u8.ToArray(), [0xEF, 0xBB, 0xBF, 0xFF, 0xFE]];

        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(AppendResult.Appended(i + 1), await Store.AppendAsync(channel, i, new OpDraft($"bytes-{i}", "a", BaseTime, payloads[i])));
        }

        var ops = await ReadAllAsync(channel);
        Assert.Equal(payloads.Length, ops.Count);
        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(payloads[i], ops[i].Payload.ToArray());
        }
    }

    /// <summary>The store copies the payload on append: the caller may reuse its (pooled) buffer afterwards.</summary>
    [Fact]
    public async Task Append_CopiesThePayload_SoTheCallerMayReuseItsBuffer()
    {
        var channel = NewChannel();
        var buffer = Encoding.UTF8.GetBytes("{\"pooled\":1}");

        await Store.AppendAsync(channel, 0, new OpDraft("pooled", "a", BaseTime, buffer.AsMemory()));
        Array.Fill(buffer, (byte)'X');

        var op = Assert.Single(await Store.ReadAsync(channel, 0, 1));
        Assert.Equal("{\"pooled\":1}", Encoding.UTF8.GetString(op.Payload.Span));
    }

    // ---------------------------------------------------------------- reading forward

    /// <summary><see cref="IOpStore.ReadAsync"/> pages forward in ascending order.</summary>
    [Fact]
    public async Task ReadAsync_PagesForward_InAscendingOrder()
    {
        var channel = await ChannelWithOpsAsync(10);

        Assert.Equal(Range(1, 3), Revisions(await Store.ReadAsync(channel, 0, 3)));
        Assert.Equal(Range(4, 6), Revisions(await Store.ReadAsync(channel, 3, 3)));
        Assert.Equal(Range(7, 9), Revisions(await Store.ReadAsync(channel, 6, 3)));
        Assert.Equal(Range(10, 10), Revisions(await Store.ReadAsync(channel, 9, 3)));
        Assert.Empty(await Store.ReadAsync(channel, 10, 3));

        var ops = await Store.ReadAsync(channel, 4, 2);
        Assert.Equal(["op-5", "op-6"], ops.Select(o => o.ClientOpId));
        Assert.Equal(BaseTime.AddSeconds(5), ops[0].Timestamp);
    }

    /// <summary><see cref="IOpStore.ReadAsync"/> with out-of-range, hostile and non-positive bounds returns what the bounds select, never an exception.</summary>
    [Theory]
    [InlineData(-1, 100, 1, 10)]   // negative after: from the start
    [InlineData(0, 100, 1, 10)]
    [InlineData(0, 1, 1, 1)]
    [InlineData(9, 100, 10, 10)]
    [InlineData(10, 100, 0, -1)]   // at the head: nothing
    [InlineData(11, 100, 0, -1)]   // past the head: nothing
    [InlineData(1000, 100, 0, -1)]
    [InlineData(4294967296, 100, 0, -1)]   // would wrap to 0 if narrowed to int first
    [InlineData(long.MaxValue, 100, 0, -1)]
    [InlineData(0, 0, 0, -1)]      // maxCount 0: nothing
    [InlineData(0, -3, 0, -1)]     // negative maxCount: nothing
    public async Task ReadAsync_HonoursItsBounds(long after, int maxCount, long first, long last)
    {
        var channel = await ChannelWithOpsAsync(10);
        Assert.Equal(Range(first, last), Revisions(await Store.ReadAsync(channel, after, maxCount)));
    }

    // ---------------------------------------------------------------- reading backward

    /// <summary><see cref="IOpStore.ReadBeforeAsync"/> pages backward, each page the newest ops before the bound, in ascending order.</summary>
    [Fact]
    public async Task ReadBeforeAsync_PagesBackward_ReturningTheNewestInAscendingOrder()
    {
        var channel = await ChannelWithOpsAsync(10);

        Assert.Equal(Range(8, 10), Revisions(await Store.ReadBeforeAsync(channel, 11, 3)));
        Assert.Equal(Range(5, 7), Revisions(await Store.ReadBeforeAsync(channel, 8, 3)));
        Assert.Equal(Range(2, 4), Revisions(await Store.ReadBeforeAsync(channel, 5, 3)));
        Assert.Equal(Range(1, 1), Revisions(await Store.ReadBeforeAsync(channel, 2, 3)));
        Assert.Empty(await Store.ReadBeforeAsync(channel, 1, 3));

        var ops = await Store.ReadBeforeAsync(channel, 4, 2);
        Assert.Equal(["op-2", "op-3"], ops.Select(o => o.ClientOpId));
    }

    /// <summary><see cref="IOpStore.ReadBeforeAsync"/> with out-of-range, hostile and non-positive bounds returns what the bounds select, never an exception.</summary>
    [Theory]
    [InlineData(long.MaxValue, 3, 8, 10)]  // "from the end"
    [InlineData(1000, 100, 1, 10)]
    [InlineData(10, 100, 1, 9)]            // exclusive bound
    [InlineData(1, 100, 0, -1)]
    [InlineData(0, 100, 0, -1)]
    [InlineData(-4, 100, 0, -1)]
    [InlineData(11, 0, 0, -1)]             // maxCount 0: nothing
    [InlineData(11, -1, 0, -1)]
    public async Task ReadBeforeAsync_HonoursItsBounds(long before, int maxCount, long first, long last)
    {
        var channel = await ChannelWithOpsAsync(10);
        Assert.Equal(Range(first, last), Revisions(await Store.ReadBeforeAsync(channel, before, maxCount)));
    }

    // ---------------------------------------------------------------- channels

    /// <summary>Revisions, ops, conflicts, snapshots and trims of one channel never touch another.</summary>
    [Fact]
    public async Task Channels_AreIsolated()
    {
        var a = await ChannelWithOpsAsync(3);
        var b = NewChannel();
        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(b, 0, Draft("b-1", "{\"in\":\"b\"}")));

        Assert.Equal(3, await Store.GetRevisionAsync(a));
        Assert.Equal(1, await Store.GetRevisionAsync(b));
        Assert.Equal(["op-1", "op-2", "op-3"], (await ReadAllAsync(a)).Select(o => o.ClientOpId));
        Assert.Equal(["b-1"], (await ReadAllAsync(b)).Select(o => o.ClientOpId));
        Assert.Equal(AppendResult.Conflict(1), await Store.AppendAsync(b, 3, Draft("b-2")));

        if (SupportsSnapshots)
        {
            await Snapshots.SaveSnapshotAsync(a, new Snapshot(3, "\"a\""u8.ToArray()));
            Assert.Null(await Snapshots.GetSnapshotAsync(b));
            Assert.Equal(0, await Snapshots.TrimAsync(b, 1));
            Assert.Equal(["b-1"], (await ReadAllAsync(b)).Select(o => o.ClientOpId));
        }
    }

    /// <summary>A 128-character channel name over the whole allowed alphabet and a 64-character client op id work.</summary>
    [Fact]
    public async Task ChannelNames_UseTheWholeAllowedAlphabet_AndMaximumLength()
    {
        var prefix = "Az09:_.-";
        var longName = prefix + new string('x', 128 - prefix.Length - 32) + Guid.NewGuid().ToString("N");
        Assert.Equal(128, longName.Length);

        Assert.Equal(AppendResult.Appended(1), await Store.AppendAsync(longName, 0, Draft(new string('i', 64))));
        Assert.Equal(1, await Store.GetRevisionAsync(longName));
        Assert.Equal(AppendResult.Duplicate(1), await Store.AppendAsync(longName, 1, Draft(new string('i', 64))));
    }

    // ---------------------------------------------------------------- concurrency

    /// <summary>Concurrent appenders retrying on conflict end with consecutive revisions, every op exactly once, each writer's ops in its order.</summary>
    [Fact]
    public Task ConcurrentAppenders_RetryingOnConflict_ProduceConsecutiveRevisions_WithEveryOpExactlyOnce() => ConcurrentAppendersAsync(sequenced: false);

    /// <summary>The same with sequenced ids (each writer one client numbering its ops): every op exactly once, in order.</summary>
    [Fact]
    public Task ConcurrentSequencedAppenders_RetryingOnConflict_ProduceConsecutiveRevisions_WithEveryOpExactlyOnce() => ConcurrentAppendersAsync(sequenced: true);

    private async Task ConcurrentAppendersAsync(bool sequenced)
    {
        var channel = NewChannel();
        var writers = ConcurrentWriters;
        var perWriter = OpsPerWriter;

        // Each writer behaves like a node committing a client's ops: read the head, append, and on a conflict retry at the
        // head the store reported. (A Duplicate counts as an ack: a store may retry internally after a lost reply.)
        var acks = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var acked = new List<(string Id, long Revision)>();
            var expected = await Store.GetRevisionAsync(channel);
            for (var i = 0; i < perWriter; i++)
            {
                var id = $"w{w}-{i + 1}";
                var json = $"{{\"w\":{w},\"i\":{i}}}";
                var draft = sequenced ? Sequenced($"w{w}", i + 1, json) : Draft(id, json);
                for (var attempt = 0; ; attempt++)
                {
                    Assert.True(attempt < 10_000, "an appender never got through");
                    var result = await Store.AppendAsync(channel, expected, draft);
                    if (result.Status == AppendStatus.Conflict)
                    {
                        expected = result.Revision;
                        continue;
                    }

                    acked.Add((id, result.Revision));
                    expected = Math.Max(expected, result.Revision);
                    break;
                }
            }

            return acked;
        })));

        var total = writers * perWriter;
        var allAcks = acks.SelectMany(a => a).ToList();
        Assert.Equal(total, allAcks.Count);
        Assert.Equal(Range(1, total), allAcks.Select(a => a.Revision).Order().ToArray());
        Assert.Equal(total, await Store.GetRevisionAsync(channel));

        var ops = await ReadAllAsync(channel, pageSize: 37);
        Assert.Equal(Range(1, total), Revisions(ops));
        Assert.Equal(total, ops.Select(o => o.ClientOpId).Distinct().Count());
        var byRevision = ops.ToDictionary(o => o.Revision);
        foreach (var (id, revision) in allAcks)
        {
            Assert.Equal(id, byRevision[revision].ClientOpId);
        }

        // A writer's own ops keep its submission order.
        foreach (var writerAcks in acks)
        {
            Assert.Equal(writerAcks.Select(a => a.Revision).Order(), writerAcks.Select(a => a.Revision));
        }
    }

    // ---------------------------------------------------------------- snapshots and trimming

    /// <summary>No snapshot until one is saved; a saved snapshot comes back byte for byte.</summary>
    [Fact]
    public async Task Snapshot_IsNull_UntilSaved_ThenRoundTrips()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = NewChannel();
        Assert.Null(await Snapshots.GetSnapshotAsync(channel));

        var state = Encoding.UTF8.GetBytes("\"Hello, 世界 🌏\"");
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(7, state));

        var snapshot = await Snapshots.GetSnapshotAsync(channel);
        Assert.NotNull(snapshot);
        Assert.Equal(7, snapshot.Revision);
        Assert.Equal(state, snapshot.State.ToArray());
    }

    /// <summary>A newer snapshot replaces the stored one; an older one or one at the same revision is ignored.</summary>
    [Fact]
    public async Task Snapshot_NewerWins_OlderAndSameRevisionAreIgnored()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = NewChannel();
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(5, "\"five\""u8.ToArray()));
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(3, "\"three\""u8.ToArray()));
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(5, "\"five again\""u8.ToArray()));
        Assert.Equal("\"five\"", Encoding.UTF8.GetString((await Snapshots.GetSnapshotAsync(channel))!.State.Span));

        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(9, "\"nine\""u8.ToArray()));
        var latest = await Snapshots.GetSnapshotAsync(channel);
        Assert.Equal(9, latest!.Revision);
        Assert.Equal("\"nine\"", Encoding.UTF8.GetString(latest.State.Span));
    }

    /// <summary>Concurrent snapshot saves keep the newest.</summary>
    [Fact]
    public async Task Snapshot_ConcurrentSaves_KeepTheNewest()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = NewChannel();
        await Task.WhenAll(Enumerable.Range(1, 12).Select(i =>
            Task.Run(() => Snapshots.SaveSnapshotAsync(channel, new Snapshot(i, Encoding.UTF8.GetBytes($"\"{i}\""))))));

        var snapshot = await Snapshots.GetSnapshotAsync(channel);
        Assert.Equal(12, snapshot!.Revision);
        Assert.Equal("\"12\"", Encoding.UTF8.GetString(snapshot.State.Span));
    }

    /// <summary>Trimming removes ops up to the revision, leaves a gap readers can see, and keeps the head.</summary>
    [Fact]
    public async Task Trim_RemovesPayloadsUpToTheRevision_LeavingAGapReadersSee()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = await ChannelWithOpsAsync(10);
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(6, "\"state@6\""u8.ToArray()));

        Assert.Equal(4, await Snapshots.TrimAsync(channel, 4));

        // A reader asking for rev > 0 gets 5 first: not 1, so it knows to resync from the snapshot.
        Assert.Equal(Range(5, 10), Revisions(await Store.ReadAsync(channel, 0, 100)));
        Assert.Equal(Range(5, 7), Revisions(await Store.ReadAsync(channel, 2, 3)));
        Assert.Empty(await Store.ReadBeforeAsync(channel, 5, 10));
        Assert.Equal(Range(5, 6), Revisions(await Store.ReadBeforeAsync(channel, 7, 10)));
        // The head does not move, and appending continues from it.
        Assert.Equal(10, await Store.GetRevisionAsync(channel));
        Assert.Equal(AppendResult.Appended(11), await Store.AppendAsync(channel, 10, Draft("after-trim")));
    }

    /// <summary>
    /// Trimming forgets the ids of the trimmed ops without a sequence (bounded state: a text channel keeps no id per
    /// keystroke), keeps the head, and keeps the ids of the ops it did not trim.
    /// </summary>
    [Fact]
    public async Task Trim_ForgetsTheIdsOfTrimmedOpsWithoutSequence_AndKeepsTheHead()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = await ChannelWithOpsAsync(7);
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(5, "\"s5\""u8.ToArray()));
        Assert.Equal(5, await Snapshots.TrimAsync(channel, 5));

        // Retained ops still dedupe; trimmed ones are forgotten, so the revision check applies to them again.
        Assert.Equal(AppendResult.Duplicate(6), await Store.AppendAsync(channel, 2, Draft("op-6")));
        Assert.Equal(AppendResult.Duplicate(7), await Store.AppendAsync(channel, 7, Draft("op-7")));
        Assert.Equal(AppendResult.Conflict(7), await Store.AppendAsync(channel, 2, Draft("op-3")));
        Assert.Equal(AppendResult.Appended(8), await Store.AppendAsync(channel, 7, Draft("op-3")));

        // Every op trimmed, the head among them: the head survives, and so does nothing else.
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(8, "\"s8\""u8.ToArray()));
        Assert.Equal(3, await Snapshots.TrimAsync(channel, 8));
        Assert.Empty(await Store.ReadAsync(channel, 0, 10));
        Assert.Equal(8, await Store.GetRevisionAsync(channel));
        Assert.Equal(AppendResult.Conflict(8), await Store.AppendAsync(channel, 0, Draft("op-7")));
        Assert.Equal(AppendResult.Appended(9), await Store.AppendAsync(channel, 8, Draft("op-3")));
        Assert.Equal(9, await Store.GetRevisionAsync(channel));
    }

    /// <summary>Trimming keeps every sequence high-water mark: a trimmed sequenced op, or an older one of its client, is still a duplicate.</summary>
    [Fact]
    public async Task Trim_KeepsSequenceMarks_SoTrimmedSequencedOpsStillDedupe()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = NewChannel("text");
        for (var i = 1; i <= 6; i++)
        {
            Assert.Equal(AppendResult.Appended(i), await Store.AppendAsync(channel, i - 1, Sequenced(i % 2 == 0 ? "even" : "odd", i)));
        }

        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(6, "\"all\""u8.ToArray()));
        Assert.Equal(6, await Snapshots.TrimAsync(channel, 6));
        Assert.Empty(await Store.ReadAsync(channel, 0, 10));

        Assert.Equal(6, await Store.GetRevisionAsync(channel));
        Assert.Equal(AppendResult.Duplicate(6), await Store.AppendAsync(channel, 0, Sequenced("even", 6)));
        Assert.Equal(AppendResult.Duplicate(6), await Store.AppendAsync(channel, 2, Sequenced("even", 2)));
        Assert.Equal(AppendResult.Duplicate(5), await Store.AppendAsync(channel, 6, Sequenced("odd", 3)));
        Assert.Equal(AppendResult.Conflict(6), await Store.AppendAsync(channel, 3, Sequenced("odd", 7)));
        Assert.Equal(AppendResult.Appended(7), await Store.AppendAsync(channel, 6, Sequenced("odd", 7)));
    }

    /// <summary>Trimming one channel forgets nothing of another: message ids (never trimmed) dedupe for as long as the channel exists.</summary>
    [Fact]
    public async Task Trim_OfOneChannel_LeavesTheIdsOfAnotherAlone()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var messages = await ChannelWithOpsAsync(3, "conv");
        var text = await ChannelWithOpsAsync(3, "text");
        await Snapshots.SaveSnapshotAsync(text, new Snapshot(3, "\"t\""u8.ToArray()));
        Assert.Equal(3, await Snapshots.TrimAsync(text, 3));

        Assert.Equal(AppendResult.Duplicate(1), await Store.AppendAsync(messages, 0, Draft("op-1")));
        Assert.Equal(1, await Store.FindClientOpAsync(messages, "op-1"));
        Assert.Equal(3, (await ReadAllAsync(messages)).Count);
    }

    /// <summary>Trimming never goes past the latest snapshot, and trims nothing twice.</summary>
    [Fact]
    public async Task Trim_NeverGoesPastTheLatestSnapshot()
    {
        if (!SupportsSnapshots)
        {
            Assert.IsNotAssignableFrom<ISnapshotStore>(Store);
            return;
        }

        var channel = await ChannelWithOpsAsync(8);
        Assert.Equal(0, await Snapshots.TrimAsync(channel, 8)); // no snapshot: nothing may go

        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(3, "\"s3\""u8.ToArray()));
        Assert.Equal(3, await Snapshots.TrimAsync(channel, 8));
        Assert.Equal(Range(4, 8), Revisions(await ReadAllAsync(channel)));

        Assert.Equal(0, await Snapshots.TrimAsync(channel, 3)); // already gone
        await Snapshots.SaveSnapshotAsync(channel, new Snapshot(6, "\"s6\""u8.ToArray()));
        Assert.Equal(2, await Snapshots.TrimAsync(channel, 5));
        Assert.Equal(Range(6, 8), Revisions(await ReadAllAsync(channel)));
        Assert.Equal(0, await Snapshots.TrimAsync(channel, 0));
        Assert.Equal(0, await Snapshots.TrimAsync(NewChannel(), 10)); // unknown channel
    }
}
