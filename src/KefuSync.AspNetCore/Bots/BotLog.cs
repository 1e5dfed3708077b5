using KefuSync.Leasing;
using KefuSync.Protocol;

namespace KefuSync.Bots;

/// <summary>
/// The bot's progress and lease: the fold of its server-written <c>bot:NAME</c> log, with the records every inbox reader
/// has (<see cref="LeasedLog"/>) and nothing more. Snapshotted and trimmed like a webhook's, so it stays small.
/// </summary>
internal sealed class BotLog(string name) : LeasedLog(ChannelOf(name))
{
    public static string ChannelOf(string name) => "bot:" + name;

    /// <summary>A <c>lease</c> or <c>release</c> record with the holder's progress not yet recorded.</summary>
    public static byte[] Record(string kind, string node, long until, long? inbox, IReadOnlyDictionary<string, long> cursors)
        => JsonRecord.Write(w => WriteRecord(w, kind, node, until, inbox, cursors));
}
