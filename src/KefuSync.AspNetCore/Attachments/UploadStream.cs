using System.Security.Cryptography;

namespace KefuSync.Attachments;

/// <summary>
/// The request body as the blob store reads it: the bytes already sniffed, then the rest of the body, hashed and counted
/// as they pass, and cut off with <see cref="UploadLimitExceededException"/> at the first byte beyond the limit, so an
/// oversized upload is never read further than <c>limit + 1</c> bytes. Holds no more than the caller's read buffer.
/// </summary>
internal sealed class UploadStream(ReadOnlyMemory<byte> head, Stream body, long limit) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private ReadOnlyMemory<byte> _head = head;
    private long _count;

    /// <summary>Bytes handed out so far.</summary>
    public long Count => _count;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _count; set => throw new NotSupportedException(); }

    /// <summary>Lower-case hex SHA-256 of everything read; call once, at the end.</summary>
    public string HashHex() => Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }

        int read;
        if (!_head.IsEmpty)
        {
            read = Math.Min(buffer.Length, _head.Length);
            _head[..read].CopyTo(buffer);
            _head = _head[read..];
        }
        else
        {
            // Never ask for more than one byte past the limit: that byte proves the upload too large.
            var want = (int)Math.Min(buffer.Length, limit - _count + 1);
            try
            {
                read = await body.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The client went away or sent a broken body: its fault, not the blob store's (which sees this exception).
                throw new UploadBodyException(ex);
            }
        }

        _count += read;
        if (_count > limit)
        {
            throw new UploadLimitExceededException(limit);
        }

        _hash.AppendData(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
        => throw new NotSupportedException("The upload is read asynchronously only.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
