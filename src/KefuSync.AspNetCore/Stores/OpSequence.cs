namespace KefuSync.Stores;

/// <summary>
/// Where a text-channel op stands in its client's sequence: its client op id is <c>{Client}-{Number}</c>, and one client
/// numbers its ops on a channel upwards (docs/protocol.md §4.1). A store keeps, per channel and <see cref="Client"/>, only
/// the highest <see cref="Number"/> committed and its revision (IOpStore rule 3), so the dedupe state of a text channel
/// grows with its clients, not with its keystrokes.
/// </summary>
/// <param name="Client">The id's prefix: everything before its last <c>-</c>. Never empty.</param>
/// <param name="Number">The decimal number after the last <c>-</c>: at least 1, at most 9 digits.</param>
/// <remarks>
/// KefuSync sets it (<see cref="OpDraft.Sequence"/>) on text channels only, for ids of that shape; message ids never
/// carry one, so a message's id is remembered for as long as the message exists.
/// </remarks>
public readonly record struct OpSequence(string Client, long Number);
