namespace KefuSync.Transport;

/// <summary>A decoded node-to-node fallback message.</summary>
/// <param name="Source">The node that sent it (replies go there).</param>
/// <param name="Envelope">The header.</param>
/// <param name="Body">A send's frames array, or a pull reply's frames as one JSON array.</param>
internal readonly record struct RelayMessage(string Source, RelayEnvelope Envelope, ReadOnlyMemory<byte> Body);
