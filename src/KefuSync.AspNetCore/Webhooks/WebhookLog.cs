using System.Text.Json;
using KefuSync.Leasing;
using KefuSync.Protocol;

namespace KefuSync.Webhooks;

/// <summary>
/// An endpoint's delivery state: the fold of its server-written <c>webhook:NAME</c> log (docs/webhooks.md §5), with
/// the records every inbox reader has (<see cref="LeasedLog"/>: <c>start</c>, <c>lease</c>, <c>release</c>) and its own.
/// </summary>
/// <remarks>
/// Its own records: <c>pause</c> {at} and <c>resume</c> {at}. <c>lease</c>, <c>release</c> and <c>pause</c> also carry
/// <c>delivered</c> (total), <c>last</c> (Unix ms of the last delivery) and <c>f</c> (failed attempts since the previous
/// record), beside the shared progress.
/// </remarks>
internal sealed class WebhookLog(string name) : LeasedLog(ChannelOf(name))
{
    public const int MaxFailures = 20;

    public string Name { get; } = name;

    public bool Paused { get; private set; }

    public long Delivered { get; set; }

    public long LastDeliveredAt { get; set; }

    public List<KefuWebhookFailure> Failures { get; } = [];

    public static string ChannelOf(string name) => "webhook:" + name;

    protected override void ApplyOther(string? kind, JsonElement op)
    {
        switch (kind)
        {
            case "pause":
                Progress(op);
                Paused = true;
                EndLease();
                break;
            case "resume":
                Paused = false;
                break;
        }
    }

    protected override void Progress(JsonElement op)
    {
        base.Progress(op);
        if (op.TryGetProperty("delivered", out var delivered))
        {
            Delivered = Math.Max(Delivered, delivered.GetInt64());
        }

        if (op.TryGetProperty("last", out var last))
        {
            LastDeliveredAt = Math.Max(LastDeliveredAt, last.GetInt64());
        }

        if (op.TryGetProperty("f", out var failures))
        {
            foreach (var f in failures.EnumerateArray())
            {
                AddFailure(new KefuWebhookFailure
                {
                    At = DateTimeOffset.FromUnixTimeMilliseconds(f.GetProperty("at").GetInt64()),
                    EventId = f.GetProperty("id").GetString() ?? "",
                    Attempt = f.GetProperty("n").GetInt32(),
                    StatusCode = f.TryGetProperty("status", out var status) ? status.GetInt32() : null,
                    Error = f.GetProperty("error").GetString() ?? "",
                });
            }
        }
    }

    public void AddFailure(KefuWebhookFailure failure)
    {
        Failures.Add(failure);
        if (Failures.Count > MaxFailures)
        {
            Failures.RemoveRange(0, Failures.Count - MaxFailures);
        }
    }

    protected override void WriteSnapshot(Utf8JsonWriter w)
    {
        w.WriteBoolean("paused", Paused);
        w.WriteNumber("delivered", Delivered);
        w.WriteNumber("last", LastDeliveredAt);
        WriteFailures(w, Failures);
    }

    protected override void RestoreOther(JsonElement root)
    {
        Paused = root.GetProperty("paused").GetBoolean();
        Failures.Clear();
    }

    public static byte[] Resume(long at) => JsonRecord.Write(w =>
    {
        w.WriteString("k", "resume");
        w.WriteNumber("at", at);
    });

    /// <summary>A <c>lease</c>, <c>release</c> or <c>pause</c> record with the holder's progress.</summary>
    public static byte[] Record(string kind, string node, long until, long? inbox, IReadOnlyDictionary<string, long> cursors, long delivered, long last, IReadOnlyList<KefuWebhookFailure> failures) => JsonRecord.Write(w =>
    {
        WriteRecord(w, kind, node, until, inbox, cursors);
        w.WriteNumber("delivered", delivered);
        w.WriteNumber("last", last);
        WriteFailures(w, failures);
    });

    private static void WriteFailures(Utf8JsonWriter w, IReadOnlyList<KefuWebhookFailure> failures)
    {
        if (failures.Count > 0)
        {
            w.WriteStartArray("f");
            foreach (var f in failures)
            {
                w.WriteStartObject();
                w.WriteNumber("at", f.At.ToUnixTimeMilliseconds());
                w.WriteString("id", f.EventId);
                w.WriteNumber("n", f.Attempt);
                if (f.StatusCode is { } status)
                {
                    w.WriteNumber("status", status);
                }

                w.WriteString("error", f.Error);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }
}
