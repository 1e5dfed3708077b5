using System.Net.WebSockets;
using System.Text;
using KefuSync.Transport;

namespace KefuSync.AspNetCore.Tests.Transport;

/// <summary>The send loop's batching under the server's WebSocket: one write per turn, frames intact and in order.</summary>
public sealed class TurnBatchingStreamTests
{
    [Fact]
    public async Task AWebSocketOverIt_SendsATurnOfFramesInOneWrite_AndTheClientReadsThemAllInOrder()
    {
        var wire = new CountingStream();
        var batching = new TurnBatchingStream(wire);
        using var server = WebSocket.CreateFromStream(batching, new WebSocketCreationOptions { IsServer = true });

        batching.BeginTurn();
        for (var i = 0; i < 50; i++)
        {
            await server.SendAsync(Encoding.UTF8.GetBytes($"{{\"t\":\"op\",\"n\":{i}}}"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }

        Assert.Equal(0, wire.Writes); // held until the turn ends
        await batching.EndTurnAsync();
        Assert.Equal(1, wire.Writes);

        // outside a turn a frame goes straight through
        await server.SendAsync("{\"t\":\"pong\"}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        Assert.Equal(2, wire.Writes);

        // an empty turn writes nothing
        batching.BeginTurn();
        await batching.EndTurnAsync();
        Assert.Equal(2, wire.Writes);

        wire.Position = 0;
        using var client = WebSocket.CreateFromStream(wire, new WebSocketCreationOptions { IsServer = false });
        var buffer = new byte[256];
        for (var i = 0; i < 50; i++)
        {
            var r = await client.ReceiveAsync(buffer, CancellationToken.None);
            Assert.True(r.EndOfMessage);
            Assert.Equal($"{{\"t\":\"op\",\"n\":{i}}}", Encoding.UTF8.GetString(buffer, 0, r.Count));
        }

        var last = await client.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal("{\"t\":\"pong\"}", Encoding.UTF8.GetString(buffer, 0, last.Count));
    }

    /// <summary>
    /// The send loop frames text messages itself: every length encoding of RFC 6455 (7-bit, 16-bit, 64-bit, and the
    /// edges between them) reads back through a real client WebSocket, in order, with the socket's own frames written
    /// in the same turn between them intact.
    /// </summary>
    [Fact]
    public async Task AppendedTextFrames_OfEveryLengthEncoding_ReadBackThroughAClientWebSocket()
    {
        var wire = new CountingStream();
        var batching = new TurnBatchingStream(wire);
        using var server = WebSocket.CreateFromStream(batching, new WebSocketCreationOptions { IsServer = true });
        int[] lengths = [0, 1, 125, 126, 127, 200, 65_535, 65_536, 70_000];
        var messages = lengths.Select(n => string.Concat(Enumerable.Range(0, n).Select(i => (char)('a' + (i % 26))))).ToArray();

        batching.BeginTurn();
        for (var i = 0; i < messages.Length; i++)
        {
            batching.AppendTextFrame(Encoding.UTF8.GetBytes(messages[i]));
            if (i == 3)
            {
                // the socket's own write in the middle of a turn (as a pong would be): a whole frame between two of ours
                await server.SendAsync("socket's own"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
        }

        await batching.EndTurnAsync();
        Assert.Equal(1, wire.Writes);

        wire.Position = 0;
        using var client = WebSocket.CreateFromStream(wire, new WebSocketCreationOptions { IsServer = false });
        var expected = messages.Take(4).Append("socket's own").Concat(messages.Skip(4)).ToList();
        foreach (var message in expected)
        {
            Assert.Equal(message, await ReceiveTextAsync(client));
        }
    }

    [Fact]
    public void AFrame_IsAppendedOnlyInsideATurn()
    {
        var batching = new TurnBatchingStream(new CountingStream());
        Assert.Throws<InvalidOperationException>(() => batching.AppendTextFrame("x"u8));
    }

    private static async Task<string> ReceiveTextAsync(WebSocket client)
    {
        var buffer = new byte[100_000];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    [Fact]
    public async Task ATurnPastItsBound_SaysSo_SoTheLoopWritesItEarly()
    {
        var wire = new CountingStream();
        var batching = new TurnBatchingStream(wire);
        batching.BeginTurn();
        await batching.WriteAsync(new byte[TurnBatchingStream.TurnBytes - 1]);
        Assert.False(batching.TurnFull);
        await batching.WriteAsync(new byte[1]);
        Assert.True(batching.TurnFull);
        await batching.EndTurnAsync();
        Assert.False(batching.TurnFull);
        Assert.Equal(TurnBatchingStream.TurnBytes, wire.Length);
    }

    [Fact]
    public void TheHandshakeAnswer_IsRfc6455s()
    {
        // RFC 6455 §1.3's example
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketAccept.AcceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    /// <summary>A memory stream counting the writes it gets (each write is one flush on Kestrel's upgraded stream).</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
