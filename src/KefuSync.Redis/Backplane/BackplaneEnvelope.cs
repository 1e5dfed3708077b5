using System.Buffers.Binary;
using System.Text;
using KefuSync.Backplane;

namespace KefuSync.Redis.Backplane;

/// <summary>
/// The bytes of one backplane message on the Redis pub/sub channel.
/// </summary>
/// <remarks>
/// Layout (big-endian): format version (1) | kind (byte) | revision (int64) | channel length (uint16) | channel (UTF-8) |
/// source node length (uint16) | source node (UTF-8) | payload (the rest, unchanged).
/// Kind 0 is private to this package: a reconnect probe (<see cref="ProbeKind"/>), never handed to handlers.
/// Encoding allocates one exactly-sized array; decoding slices the payload out of the received array without copying.
/// </remarks>
internal static class BackplaneEnvelope
{
    public const byte FormatVersion = 1;
    public const BackplaneMessageKind ProbeKind = 0;
    private const int FixedSize = 1 + 1 + 8 + 2 + 2;

    public static byte[] Encode(BackplaneMessage message)
    {
        var channelLength = Encoding.UTF8.GetByteCount(message.Channel);
        var sourceLength = Encoding.UTF8.GetByteCount(message.SourceNode);
        if (channelLength > ushort.MaxValue || sourceLength > ushort.MaxValue)
        {
            throw new ArgumentException("The channel or source node name is too long for a backplane message.", nameof(message));
        }

        var buffer = new byte[FixedSize + channelLength + sourceLength + message.Payload.Length];
        var span = buffer.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)message.Kind;
        BinaryPrimitives.WriteInt64BigEndian(span[2..], message.Revision);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)channelLength);
        var offset = 12;
        offset += Encoding.UTF8.GetBytes(message.Channel, span[offset..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[offset..], (ushort)sourceLength);
        offset += 2;
        offset += Encoding.UTF8.GetBytes(message.SourceNode, span[offset..]);
        message.Payload.Span.CopyTo(span[offset..]);
        return buffer;
    }

    /// <summary>Decodes <paramref name="buffer"/>; false when it is not a message of this format (another version, garbage).</summary>
    public static bool TryDecode(byte[]? buffer, out BackplaneMessage message)
    {
        message = null!;
        if (buffer is null || buffer.Length < FixedSize || buffer[0] != FormatVersion)
        {
            return false;
        }

        var span = buffer.AsSpan();
        var kind = (BackplaneMessageKind)span[1];
        var revision = BinaryPrimitives.ReadInt64BigEndian(span[2..]);
        int channelLength = BinaryPrimitives.ReadUInt16BigEndian(span[10..]);
        var offset = 12;
        if (offset + channelLength + 2 > span.Length)
        {
            return false;
        }

        var channel = Encoding.UTF8.GetString(span.Slice(offset, channelLength));
        offset += channelLength;
        int sourceLength = BinaryPrimitives.ReadUInt16BigEndian(span[offset..]);
        offset += 2;
        if (offset + sourceLength > span.Length)
        {
            return false;
        }

        var source = Encoding.UTF8.GetString(span.Slice(offset, sourceLength));
        offset += sourceLength;
        message = new BackplaneMessage(kind, channel, revision, source, buffer.AsMemory(offset));
        return true;
    }
}
