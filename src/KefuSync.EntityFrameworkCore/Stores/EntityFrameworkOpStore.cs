using KefuSync.EntityFrameworkCore.Model;
using KefuSync.Stores;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace KefuSync.EntityFrameworkCore.Stores;

/// <summary>
/// The op store over any relational EF Core provider. Tables: see <see cref="KefuSyncModelBuilderExtensions.AddKefuSyncModel"/>.
/// </summary>
/// <remarks>
/// <para><b>Atomicity comes from unique keys, not from read-then-write.</b> An append inserts its <c>kefu_client_ops</c>
/// row (PK channel + client_op_id, unique channel + revision) and its <c>kefu_ops</c> row in one SaveChanges, which is
/// one transaction. Two appenders racing for the same revision, or the same client op id, cannot both commit: the
/// loser gets a unique violation and resolves it by re-reading. If its client op id is now there, the answer is
/// <see cref="AppendStatus.Duplicate"/> with the original revision, otherwise <see cref="AppendStatus.Conflict"/> with the
/// head. The reads before the insert are a fast path and the check that the head is not <em>behind</em>
/// <c>expectedRevision</c> (which no unique key could catch).</para>
/// <para><b>Sequenced ops</b> (IOpStore rule 3) also get a ledger row, which orders them and which the trim deletes with
/// the op; their dedupe is the client's row in <c>kefu_client_sequences</c>, raised in the same SaveChanges by an UPDATE
/// conditional on the number it was read with (a concurrency token), or inserted under its primary key. A text channel
/// therefore keeps one mark per client and one ledger row per retained op, whatever it was sent.</para>
/// <para>Every call uses a fresh context from <see cref="IDbContextFactory{TContext}"/> (pooled when the host registered
/// it so), reads with <c>AsNoTracking</c>, and runs inside a Polly pipeline (retry with jitter, circuit breaker, and a timeout of
/// <see cref="KefuSyncEntityFrameworkOptions.OperationTimeout"/> per attempt). No explicit transaction is opened, so a host's retrying
/// execution strategy (<c>EnableRetryOnFailure</c>) works unchanged; if such a retry repeats an insert that had in fact
/// committed, the unique key turns it into a Duplicate.</para>
/// </remarks>
internal sealed partial class EntityFrameworkOpStore<TContext> : IOpStore, ISnapshotStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _factory;
    private readonly ResiliencePipeline _pipeline;
    private readonly ILogger _logger;
    private volatile bool _modelChecked;

    public EntityFrameworkOpStore(IServiceProvider services, IOptions<KefuSyncEntityFrameworkOptions> options, ILogger<EntityFrameworkOpStore<TContext>> logger)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _factory = services.GetService<IDbContextFactory<TContext>>()
            ?? throw new InvalidOperationException(
                $"The KefuSync Entity Framework store needs IDbContextFactory<{typeof(TContext).Name}>: register it with " +
                $"services.AddPooledDbContextFactory<{typeof(TContext).Name}>(...) or services.AddDbContextFactory<{typeof(TContext).Name}>(...).");
        _pipeline = BuildPipeline(options.Value.OperationTimeout);
        _logger = logger;
    }

    /// <summary>
    /// Retry with jitter for transient database faults (an append is safe to retry: its client op id makes a repeat a
    /// Duplicate), a circuit breaker so a dead database fails fast instead of piling up waiting requests, and a timeout
    /// per attempt. Exceptions that remain surface to the caller, which answers clients with a retryable error.
    /// </summary>
    private static ResiliencePipeline BuildPipeline(TimeSpan attemptTimeout)
    {
        var transient = new PredicateBuilder()
            .Handle<System.Data.Common.DbException>()
            .Handle<Polly.Timeout.TimeoutRejectedException>()
            .Handle<InvalidOperationException>(ex => ex.InnerException is System.Data.Common.DbException or TimeoutException);
        return new ResiliencePipelineBuilder()
            .AddRetry(new Polly.Retry.RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
            })
            .AddCircuitBreaker(new Polly.CircuitBreaker.CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = 0.8,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(3),
            })
            .AddTimeout(attemptTimeout)
            .Build();
    }

    public Task<AppendResult> AppendAsync(string channel, long expectedRevision, OpDraft op, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(op);
        // Copy now: the caller's buffer may be pooled and reused once this call returns.
        var draft = new PendingAppend(channel, expectedRevision, op.ClientOpId, op.Author, op.Timestamp.ToUniversalTime(), op.Payload.ToArray(), op.Sequence);
        return RunAsync(static (self, state, token) => self.AppendCoreAsync(state, token), draft, cancellationToken);
    }

    private async Task<AppendResult> AppendCoreAsync(PendingAppend append, CancellationToken cancellationToken)
    {
        await using (var db = await CreateContextAsync(cancellationToken).ConfigureAwait(false))
        {
            // Duplicate check before revision check: a resend with a stale expected revision is still a duplicate. Both come
            // from one round trip, and a resend is answered here, before any insert: an insert that the unique key refuses
            // is logged as a failure by EF Core itself (two "fail:" entries with stack traces), and a resend after a lost ack
            // is the normal path after every reconnect. Only a true race (the same id appended concurrently) still gets there.
            long head;
            Mark? mark = null;
            if (append.Sequence is { } sequence)
            {
                var probe = await ProbeSequencedAsync(db, append.Channel, append.ClientOpId, sequence.Client, cancellationToken).ConfigureAwait(false);
                if (probe.Duplicate(sequence) is { } revision)
                {
                    return AppendResult.Duplicate(revision);
                }

                (head, mark) = (probe.Head, probe.Mark);
            }
            else
            {
                (head, var original) = await ProbeAsync(db, append.Channel, append.ClientOpId, cancellationToken).ConfigureAwait(false);
                if (original is { } revision)
                {
                    return AppendResult.Duplicate(revision);
                }
            }

            if (head != append.ExpectedRevision)
            {
                return AppendResult.Conflict(head);
            }

            var next = append.ExpectedRevision + 1;
            db.Add(new ClientOpRow { Channel = append.Channel, ClientOpId = append.ClientOpId, Revision = next });
            if (append.Sequence is { } raise)
            {
                if (mark is { } read)
                {
                    // UPDATE ... WHERE channel, client AND number = the number read: a concurrent raise makes it fail.
                    var row = new ClientSequenceRow { Channel = append.Channel, Client = raise.Client, Number = read.Number, Revision = read.Revision };
                    db.Attach(row);
                    row.Number = raise.Number;
                    row.Revision = next;
                }
                else
                {
                    db.Add(new ClientSequenceRow { Channel = append.Channel, Client = raise.Client, Number = raise.Number, Revision = next });
                }
            }

            db.Add(new OpRow
            {
                Channel = append.Channel,
                Revision = next,
                ClientOpId = append.ClientOpId,
                Author = append.Author,
                Timestamp = append.Timestamp,
                Payload = append.Payload,
            });

            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return AppendResult.Appended(next);
            }
            catch (DbUpdateException ex)
            {
                // Lost a race (or the commit's reply was lost). Resolve it below with a fresh context: this one still
                // tracks the rejected rows.
                var resolved = await ResolveFailedAppendAsync(append, cancellationToken).ConfigureAwait(false);
                if (resolved is { } result)
                {
                    if (UniqueViolation.Matches(ex))
                    {
                        Log.AppendRaceResolved(_logger, append.Channel, next, result.Status);
                    }
                    else
                    {
                        Log.AppendFailureResolved(_logger, append.Channel, next, result.Status, ex);
                    }

                    return result;
                }

                Log.AppendFailed(_logger, append.Channel, next, ex);
                throw;
            }
        }
    }

    private async Task<AppendResult?> ResolveFailedAppendAsync(PendingAppend append, CancellationToken cancellationToken)
    {
        await using var db = await CreateContextAsync(cancellationToken).ConfigureAwait(false);
        var original = await FindOriginalAsync(db, append.Channel, append.ClientOpId, append.Sequence, cancellationToken).ConfigureAwait(false);
        if (original is { } revision)
        {
            return AppendResult.Duplicate(revision);
        }

        var head = await HeadAsync(db, append.Channel, cancellationToken).ConfigureAwait(false);
        // Head still at the expected revision and no duplicate: the failure was not a lost race, so it is a real error.
        return head != append.ExpectedRevision ? AppendResult.Conflict(head) : null;
    }

    public Task<long> GetRevisionAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return RunAsync(
            static async (self, channel, token) =>
            {
                await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
                return await HeadAsync(db, channel, token).ConfigureAwait(false);
            },
            channel,
            cancellationToken);
    }

    public Task<long?> FindClientOpAsync(string channel, string clientOpId, CancellationToken cancellationToken = default)
        => FindDuplicateAsync(channel, clientOpId, null, cancellationToken);

    public Task<long?> FindDuplicateAsync(string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(clientOpId);
        return RunAsync(
            static async (self, query, token) =>
            {
                await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
                return await FindOriginalAsync(db, query.Channel, query.ClientOpId, query.Sequence, token).ConfigureAwait(false);
            },
            (Channel: channel, ClientOpId: clientOpId, Sequence: sequence),
            cancellationToken);
    }

    public Task<IReadOnlyList<OpRecord>> ReadAsync(string channel, long afterRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        if (maxCount <= 0)
        {
            return Task.FromResult<IReadOnlyList<OpRecord>>([]);
        }

        return RunAsync(
            static async (self, query, token) =>
            {
                await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
                // Served by the primary key (channel, revision): an index range scan, O(log n + k).
                var rows = await db.Set<OpRow>().AsNoTracking()
                    .Where(o => o.Channel == query.Channel && o.Revision > query.Revision)
                    .OrderBy(o => o.Revision)
                    .Take(query.MaxCount)
                    .ToListAsync(token).ConfigureAwait(false);
                return ToRecords(rows, reverse: false);
            },
            new RangeQuery(channel, afterRevision, maxCount),
            cancellationToken);
    }

    public Task<IReadOnlyList<OpRecord>> ReadBeforeAsync(string channel, long beforeRevision, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        if (maxCount <= 0)
        {
            return Task.FromResult<IReadOnlyList<OpRecord>>([]);
        }

        return RunAsync(
            static async (self, query, token) =>
            {
                await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
                var rows = await db.Set<OpRow>().AsNoTracking()
                    .Where(o => o.Channel == query.Channel && o.Revision < query.Revision)
                    .OrderByDescending(o => o.Revision)
                    .Take(query.MaxCount)
                    .ToListAsync(token).ConfigureAwait(false);
                return ToRecords(rows, reverse: true);
            },
            new RangeQuery(channel, beforeRevision, maxCount),
            cancellationToken);
    }

    public Task SaveSnapshotAsync(string channel, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(snapshot);
        var row = new SnapshotRow { Channel = channel, Revision = snapshot.Revision, State = snapshot.State.ToArray() };
        return RunAsync(
            static async (self, row, token) =>
            {
                // Newer wins, atomically: a conditional UPDATE, else an INSERT guarded by the primary key. Once a row exists,
                // revisions only grow, so one more conditional UPDATE settles every race (a concurrent insert that beat ours,
                // or an older row that appeared between our UPDATE and our existence check).
                if (await UpdateIfNewerAsync(self, row, token).ConfigureAwait(false) > 0)
                {
                    return true;
                }

                await using (var db = await self.CreateContextAsync(token).ConfigureAwait(false))
                {
                    if (!await db.Set<SnapshotRow>().AsNoTracking().AnyAsync(s => s.Channel == row.Channel, token).ConfigureAwait(false))
                    {
                        db.Add(new SnapshotRow { Channel = row.Channel, Revision = row.Revision, State = row.State });
                        try
                        {
                            await db.SaveChangesAsync(token).ConfigureAwait(false);
                            return true;
                        }
                        catch (DbUpdateException)
                        {
                            // Someone inserted first; fall through to the conditional update against their row.
                        }
                    }
                }

                return await UpdateIfNewerAsync(self, row, token).ConfigureAwait(false) > 0;
            },
            row,
            cancellationToken);

        static async Task<int> UpdateIfNewerAsync(EntityFrameworkOpStore<TContext> self, SnapshotRow row, CancellationToken token)
        {
            await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
            return await db.Set<SnapshotRow>()
                .Where(s => s.Channel == row.Channel && s.Revision < row.Revision)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Revision, row.Revision).SetProperty(x => x.State, row.State), token)
                .ConfigureAwait(false);
        }
    }

    public Task<Snapshot?> GetSnapshotAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return RunAsync(
            static async (self, channel, token) =>
            {
                await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
                var row = await db.Set<SnapshotRow>().AsNoTracking().FirstOrDefaultAsync(s => s.Channel == channel, token).ConfigureAwait(false);
                return row is null ? null : new Snapshot(row.Revision, row.State ?? []);
            },
            channel,
            cancellationToken);
    }

    public Task<long> TrimAsync(string channel, long upToRevision, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return RunAsync(
            static async (self, query, token) =>
            {
                await using var db = await self.CreateContextAsync(token).ConfigureAwait(false);
                var snapshotRevision = await db.Set<SnapshotRow>().AsNoTracking()
                    .Where(s => s.Channel == query.Channel)
                    .Select(s => (long?)s.Revision)
                    .FirstOrDefaultAsync(token).ConfigureAwait(false);
                if (snapshotRevision is null)
                {
                    return 0L;
                }

                // Never past the latest snapshot: ops behind it are the only way to rebuild anything newer.
                var limit = Math.Min(query.Revision, snapshotRevision.Value);
                var removed = (long)await db.Set<OpRow>()
                    .Where(o => o.Channel == query.Channel && o.Revision <= limit)
                    .ExecuteDeleteAsync(token).ConfigureAwait(false);

                // Their ids go too (IOpStore rule 3; the marks in kefu_client_sequences stay), except the ledger's row at
                // the head, which holds the head of a channel whose ops are all trimmed: it keeps its revision and loses
                // its id. Read the head first: it only grows, so every row below it is safe to delete, and an append
                // racing with this trim writes above it.
                var head = await HeadAsync(db, query.Channel, token).ConfigureAwait(false);
                await db.Set<ClientOpRow>()
                    .Where(c => c.Channel == query.Channel && c.Revision <= limit && c.Revision < head)
                    .ExecuteDeleteAsync(token).ConfigureAwait(false);
                if (limit >= head)
                {
                    await db.Set<ClientOpRow>()
                        .Where(c => c.Channel == query.Channel && c.Revision == head && c.ClientOpId != ClientOpRow.HeadTombstone)
                        .ExecuteUpdateAsync(c => c.SetProperty(x => x.ClientOpId, ClientOpRow.HeadTombstone), token).ConfigureAwait(false);
                }

                return removed;
            },
            new RangeQuery(channel, upToRevision, 0),
            cancellationToken);
    }

    private static async Task<long> HeadAsync(TContext db, string channel, CancellationToken cancellationToken) =>
        // MAX over the unique index (channel, revision) of the ledger, which trimming never touches.
        await db.Set<ClientOpRow>().AsNoTracking()
            .Where(c => c.Channel == channel)
            .MaxAsync(c => (long?)c.Revision, cancellationToken).ConfigureAwait(false) ?? 0L;

    /// <summary>
    /// The head and, when committed, the revision of <paramref name="clientOpId"/>, in one query: the ledger row at the head
    /// (the newest by the unique index on channel + revision) UNION ALL the row of the id (its primary key). Each branch is
    /// an index seek, so the cost does not grow with the channel.
    /// </summary>
    private static async Task<(long Head, long? Original)> ProbeAsync(TContext db, string channel, string clientOpId, CancellationToken cancellationToken)
    {
        var ledger = db.Set<ClientOpRow>().AsNoTracking();
        var rows = await ledger.Where(c => c.Channel == channel).OrderByDescending(c => c.Revision).Take(1)
            .Concat(ledger.Where(c => c.Channel == channel && c.ClientOpId == clientOpId))
            .Select(c => new { c.ClientOpId, c.Revision })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        long head = 0;
        long? original = null;
        foreach (var row in rows)
        {
            head = Math.Max(head, row.Revision);
            if (string.Equals(row.ClientOpId, clientOpId, StringComparison.Ordinal))
            {
                original = row.Revision;
            }
        }

        return (head, original);
    }

    /// <summary>
    /// The head, the revision of <paramref name="clientOpId"/> if retained, and the client's mark, in one query: the ledger
    /// row at the head with two scalar subqueries (index seeks). A channel never written has no ledger row, and then no
    /// mark either (a mark is written with its op's ledger row, and the head row is never deleted).
    /// </summary>
    private static async Task<SequencedProbe> ProbeSequencedAsync(TContext db, string channel, string clientOpId, string client, CancellationToken cancellationToken)
    {
        var ledger = db.Set<ClientOpRow>().AsNoTracking();
        var marks = db.Set<ClientSequenceRow>().AsNoTracking();
        var row = await ledger.Where(c => c.Channel == channel).OrderByDescending(c => c.Revision)
            .Select(c => new
            {
                Head = c.Revision,
                Original = ledger.Where(o => o.Channel == channel && o.ClientOpId == clientOpId).Select(o => (long?)o.Revision).FirstOrDefault(),
                MarkNumber = marks.Where(m => m.Channel == channel && m.Client == client).Select(m => (long?)m.Number).FirstOrDefault(),
                MarkRevision = marks.Where(m => m.Channel == channel && m.Client == client).Select(m => (long?)m.Revision).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return new SequencedProbe(0, null, null);
        }

        return new SequencedProbe(row.Head, row.Original, row is { MarkNumber: { } number, MarkRevision: { } revision } ? new Mark(number, revision) : null);
    }

    /// <summary>IOpStore rule 3 after a failed insert or for the lookup: the retained id, else the client's mark.</summary>
    private static async Task<long?> FindOriginalAsync(TContext db, string channel, string clientOpId, OpSequence? sequence, CancellationToken cancellationToken)
    {
        var original = await db.Set<ClientOpRow>().AsNoTracking()
            .Where(c => c.Channel == channel && c.ClientOpId == clientOpId)
            .Select(c => (long?)c.Revision)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (original is not null || sequence is not { } s)
        {
            return original;
        }

        var mark = await db.Set<ClientSequenceRow>().AsNoTracking()
            .Where(m => m.Channel == channel && m.Client == s.Client)
            .Select(m => new { m.Number, m.Revision })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return mark is not null && s.Number <= mark.Number ? mark.Revision : null;
    }

    private static IReadOnlyList<OpRecord> ToRecords(List<OpRow> rows, bool reverse)
    {
        var records = new OpRecord[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            records[reverse ? rows.Count - 1 - i : i] = new OpRecord(row.Revision, row.ClientOpId, row.Author, row.Timestamp, row.Payload ?? []);
        }

        return records;
    }

    private async Task<TContext> CreateContextAsync(CancellationToken cancellationToken)
    {
        var db = await _factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (!_modelChecked)
        {
            if (db.Model.FindEntityType(typeof(OpRow)) is null)
            {
                await db.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"{typeof(TContext).Name} has no KefuSync tables: call modelBuilder.AddKefuSyncModel() in its OnModelCreating " +
                    "(and add a migration), or use builder.AddEntityFrameworkStore(options => ...) to let KefuSync own its context.");
            }

            _modelChecked = true;
        }

        return db;
    }

    private Task<TResult> RunAsync<TState, TResult>(
        Func<EntityFrameworkOpStore<TContext>, TState, CancellationToken, Task<TResult>> operation, TState state, CancellationToken cancellationToken)
    {
        return _pipeline.ExecuteAsync(
            static async (s, token) => await s.Operation(s.Self, s.State, token).ConfigureAwait(false),
            (Self: this, Operation: operation, State: state),
            cancellationToken).AsTask();
    }

    private sealed record PendingAppend(string Channel, long ExpectedRevision, string ClientOpId, string Author, DateTimeOffset Timestamp, byte[] Payload, OpSequence? Sequence);

    /// <summary>A client's high-water mark as read.</summary>
    private readonly record struct Mark(long Number, long Revision);

    private readonly record struct SequencedProbe(long Head, long? Original, Mark? Mark)
    {
        public long? Duplicate(OpSequence sequence) =>
            Original ?? (Mark is { } mark && sequence.Number <= mark.Number ? mark.Revision : null);
    }

    private readonly record struct RangeQuery(string Channel, long Revision, int MaxCount);
}
