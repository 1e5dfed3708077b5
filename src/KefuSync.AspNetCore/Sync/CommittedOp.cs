using KefuSync.Protocol;
using KefuSync.Security;

namespace KefuSync.Sync;

/// <summary>One op as the commit pipeline committed it, with the handler's parsed form beside the stored payload.</summary>
internal readonly record struct CommittedOp<TOp>(ChannelName Channel, long Revision, string ClientOpId, KefuPrincipal Author, DateTimeOffset Timestamp, TOp Op, byte[] Payload);
