using System.Buffers.Binary;
using System.Text;
using KefuSync.Stores;

namespace KefuSync.Redis.Stores;

/// <summary>
/// Binary encoding of an operation as a sorted-set member. The revision is not in it: it is the member's score, assigned by
/// the append script. Every member is unique because it contains the client op id, which is unique per channel.
/// </summary>
/// <remarks>
/// Layout (big-endian): version byte (1) | UTC ticks (int64) | offset minutes (int16) | client op id length (uint16) |
/// client op id (UTF-8) | author length (int32) | author (UTF-8) | payload (the rest, unchanged).
/// One array is allocated per encode, sized exactly; decode slices the payload out of the array Redis returned, no copy.
/// </remarks>
internal static class OpRecordCodec
{
    private const byte Version = 1;
    private const int FixedSize = 1 + 8 + 2 + 2 + 4;

    public static byte[] Encode(OpDraft op)
    {
        var idLength = Encoding.UTF8.GetByteCount(op.ClientOpId);
        var authorLength = Encoding.UTF8.GetByteCount(op.Author);
        if (idLength > ushort.MaxValue)
        {
            throw new ArgumentException("The client op id is too long.", nameof(op));
        }

        var buffer = new byte[FixedSize + idLength + authorLength + op.Payload.Length];
        var span = buffer.AsSpan();
        span[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(span[1..], op.Timestamp.UtcTicks);
        BinaryPrimitives.WriteInt16BigEndian(span[9..], (short)op.Timestamp.Offset.TotalMinutes);
        BinaryPrimitives.WriteUInt16BigEndian(span[11..], (ushort)idLength);
        var offset = 13;
        offset += Encoding.UTF8.GetBytes(op.ClientOpId, span[offset..]);
        BinaryPrimitives.WriteInt32BigEndian(span[offset..], authorLength);
        offset += 4;
        offset += Encoding.UTF8.GetBytes(op.Author, span[offset..]);
        op.Payload.Span.CopyTo(span[offset..]);
        return buffer;
    }

    public static OpRecord Decode(long revision, byte[] buffer)
    {
        var span = buffer.AsSpan();
        if (span.Length < FixedSize || span[0] != Version)
        {
            throw new InvalidDataException($"Op {revision} is stored in an unknown format (version byte {(span.Length > 0 ? span[0] : -1)}).");
        }

        var utcTicks = BinaryPrimitives.ReadInt64BigEndian(span[1..]);
        var offsetMinutes = BinaryPrimitives.ReadInt16BigEndian(span[9..]);
        var idLength = BinaryPrimitives.ReadUInt16BigEndian(span[11..]);
        var offset = 13;
        var clientOpId = Encoding.UTF8.GetString(span.Slice(offset, idLength));
        offset += idLength;
        var authorLength = BinaryPrimitives.ReadInt32BigEndian(span[offset..]);
        offset += 4;
        var author = Encoding.UTF8.GetString(span.Slice(offset, authorLength));
        offset += authorLength;

        var offsetSpan = TimeSpan.FromMinutes(offsetMinutes);
        var timestamp = new DateTimeOffset(utcTicks + offsetSpan.Ticks, offsetSpan);
        return new OpRecord(revision, clientOpId, author, timestamp, buffer.AsMemory(offset));
    }
}
