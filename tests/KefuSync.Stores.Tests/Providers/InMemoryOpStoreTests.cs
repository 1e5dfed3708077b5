using KefuSync.Testing;

namespace KefuSync.Stores.Tests.Providers;

/// <summary>The embedded default store against the specification.</summary>
public sealed class InMemoryOpStoreTests : OpStoreSpecification
{
    protected override Task<IOpStore> CreateStoreAsync() => Task.FromResult<IOpStore>(new InMemoryOpStore());

    /// <summary>
    /// The in-memory store packs payloads into shared chunks and keeps ops as structs: against a plain list model, every
    /// read returns exactly what was appended, through chunk boundaries, payloads larger than a chunk, empty payloads,
    /// trims that drop chunks and the array compaction after them; and bytes handed out earlier never change.
    /// </summary>
    [Fact]
    public async Task PackedLog_MatchesAPlainModel_ThroughChunkBoundariesTrimsAndCompaction()
    {
        var store = new InMemoryOpStore();
        var random = new Random(20261123);
        var model = new List<(long Revision, string Id, byte[] Payload)>();
        var firstKept = 1L;
        IReadOnlyList<OpRecord>? earlier = null;
        byte[][] earlierCopies = [];
        for (var i = 1; i <= 3000; i++)
        {
            var size = random.Next(10) switch
            {
                0 => 0,
                1 => random.Next(30_000, 70_000), // larger than a chunk
                _ => random.Next(1, 900),
            };
            var payload = new byte[size];
            random.NextBytes(payload);
            var id = "op-" + i;
            var result = await store.AppendAsync("c", i - 1, new OpDraft(id, "a:" + (i % 3), BaseTime.AddSeconds(i), payload));
            Assert.Equal(AppendResult.Appended(i), result);
            model.Add((i, id, (byte[])payload.Clone()));
            payload.AsSpan().Fill(0xEE); // the caller reuses its buffer: the store must have copied

            if (i % 250 == 0)
            {
                // Snapshot and trim to somewhere behind the head: whole chunks become unused.
                var upTo = i - random.Next(0, 200);
                await ((ISnapshotStore)store).SaveSnapshotAsync("c", new Snapshot(upTo, new byte[] { 1 }));
                var trimmed = await ((ISnapshotStore)store).TrimAsync("c", upTo);
                Assert.Equal(upTo - firstKept + 1, trimmed);
                firstKept = upTo + 1;
            }

            if (i % 500 == 0)
            {
                if (earlier is not null)
                {
                    for (var k = 0; k < earlier.Count; k++)
                    {
                        Assert.True(earlier[k].Payload.Span.SequenceEqual(earlierCopies[k]), "bytes handed out earlier changed");
                    }
                }

                earlier = await store.ReadAsync("c", firstKept - 1, 100);
                earlierCopies = [.. earlier.Select(r => r.Payload.ToArray())];
            }
        }

        // Everything kept reads back in order, in pages, with its metadata; kept ops still dedupe, trimmed ones are forgotten.
        var after = firstKept - 1;
        while (true)
        {
            var page = await store.ReadAsync("c", after, 137);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var record in page)
            {
                Assert.Equal(after + 1, record.Revision);
                var expected = model[(int)record.Revision - 1];
                Assert.Equal(expected.Id, record.ClientOpId);
                Assert.Equal("a:" + (record.Revision % 3), record.Author);
                Assert.Equal(BaseTime.AddSeconds(record.Revision), record.Timestamp);
                Assert.True(record.Payload.Span.SequenceEqual(expected.Payload), $"payload of revision {record.Revision} differs");
                after = record.Revision;
            }
        }

        Assert.Equal(3000, after);
        var before = await store.ReadBeforeAsync("c", 3001, 10);
        Assert.Equal(Enumerable.Range(2991, 10).Select(r => (long)r), before.Select(r => r.Revision));
        Assert.Equal(AppendResult.Duplicate(firstKept), await store.AppendAsync("c", 3000, new OpDraft("op-" + firstKept, "a:1", BaseTime, new byte[] { 9 })));
        Assert.Equal(AppendResult.Duplicate(3000), await store.AppendAsync("c", 0, new OpDraft("op-3000", "a:1", BaseTime, new byte[] { 9 })));
        Assert.Equal(3000 - firstKept + 1, ((InMemoryOpStore)store).DedupeEntries);
        Assert.Equal(AppendResult.Appended(3001), await store.AppendAsync("c", 3000, new OpDraft("op-1", "a:1", BaseTime, new byte[] { 9 })));
    }
}
