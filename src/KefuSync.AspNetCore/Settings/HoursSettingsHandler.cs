using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using KefuSync.Availability;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.Extensions.Options;

namespace KefuSync.Settings;

/// <summary>
/// The <c>settings:hours</c> channel (docs/protocol.md §4.4): an agent's edit of the business hours in the console. The
/// op is read as strictly as the options are (<see cref="HoursJson.TryRead"/>) and stored as the server rebuilds it, never
/// as the client's bytes. The last op counts, so ops commute: a conflict only moves the op to the new head. Every node
/// then applies it (<see cref="HoursSettingsSync"/>).
/// </summary>
internal sealed class HoursSettingsHandler(IOpStore store, IOptionsMonitor<KefuSyncOptions> options, HoursSettingsSync sync) : ChannelKindHandler<HoursOp>
{
    private static readonly ChannelKind[] SettingsKinds = [ChannelKind.Settings];
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override IReadOnlyList<ChannelKind> Kinds => SettingsKinds;

    public override string ConflictMessage => "The settings kept changing; save again.";

    public override bool TryRead(KefuPrincipal author, ChannelName channel, long baseRevision, ReadOnlyMemory<byte> json, out HoursOp op, out SubmitResult refusal)
    {
        op = default;
        refusal = default;
        if (author.Role == PrincipalRole.Visitor)
        {
            refusal = SubmitResult.Fail(ErrorCodes.Forbidden, "Only agents edit the business hours.");
            return false;
        }

        if (!options.CurrentValue.BusinessHours.ConsoleEditing)
        {
            refusal = SubmitResult.Fail(ErrorCodes.Forbidden, "Editing the business hours in the console is turned off (BusinessHours.ConsoleEditing).");
            return false;
        }

        switch (OpKind.Of(json.Span))
        {
            case "reset":
                return true;
            case "hours":
                if (HoursJson.TryRead(json.Span, out var error) is { } schedule)
                {
                    op = new HoursOp(schedule);
                    return true;
                }

                refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, error);
                return false;
            default:
                refusal = SubmitResult.Fail(ErrorCodes.InvalidOp, "A settings:hours op is {\"k\":\"hours\", ...} or {\"k\":\"reset\"}.");
                return false;
        }
    }

    public override async ValueTask<long> LoadAsync(ChannelName channel, ChannelRuntime runtime, CancellationToken cancellationToken)
    {
        if (runtime.Head is { } head)
        {
            return head; // a hint: the expected-revision append corrects it
        }

        try
        {
            return (runtime.Head = await store.GetRevisionAsync(channel.Value, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (Exception ex) when (StoreUnavailableException.ShouldWrap(ex, cancellationToken))
        {
            throw new StoreUnavailableException(channel.Value, ex);
        }
    }

    public override ValueTask<PreparedOp<HoursOp>> PrepareAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, long baseRevision, HoursOp op, long head, CancellationToken cancellationToken)
        => new(PreparedOp<HoursOp>.Ready(op, head, op.Schedule is { } schedule ? HoursJson.BuildOp(schedule, author.Name) : ResetPayload(author.Name)));

    public override ValueTask<PreparedOp<HoursOp>> RebaseAsync(KefuPrincipal author, ChannelName channel, ChannelRuntime runtime, PreparedOp<HoursOp> prepared, long storeHead, CancellationToken cancellationToken)
    {
        runtime.Head = storeHead; // the last op counts: appended after another agent's save, this one wins
        return new(prepared with { Head = storeHead });
    }

    public override void Apply(ChannelRuntime runtime, in CommittedOp<HoursOp> committed) => runtime.Head = committed.Revision;

    public override ValueTask AfterCommitAsync(ChannelRuntime runtime, CommittedOp<HoursOp> committed, CancellationToken cancellationToken)
    {
        // This node at once; the others when the backplane tells them (HoursSettingsSync reads the store then).
        sync.Saved(committed.Revision, committed.Op.Schedule);
        return ValueTask.CompletedTask;
    }

    private static byte[] ResetPayload(string authorName)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("k"u8, "reset");
            w.WriteString("name"u8, authorName);
            w.WriteString("role"u8, "agent");
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
