using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace KefuSync.Tests.Smtp;

/// <summary>
/// A real SMTP server in the test process (the SmtpServer library) on 127.0.0.1 and a free port: KefuSync's MailKit
/// sender talks SMTP to it over a socket, and every message it accepts is parsed with MimeKit for the test to read.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;

    private SmtpSink(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("smtp.kefu.test").Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).IsSecure(false)).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Messages));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>Every message accepted, in order.</summary>
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();

    public static SmtpSink Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new SmtpSink(port);
    }

    /// <summary>Points KefuSync's email options at this server (no TLS, no login) with test-sized timings.</summary>
    public void Configure(KefuEmailOptions email, string linkBase = "http://shop.kefu.test/kefu")
    {
        email.Enabled = true;
        email.LinkBaseUrl = linkBase;
        email.From = "Tea House <support@shop.kefu.test>";
        email.Smtp.Host = "127.0.0.1";
        email.Smtp.Port = Port;
        email.Smtp.Security = KefuSmtpSecurity.None;
        email.Smtp.Timeout = TimeSpan.FromSeconds(10);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived, then returns them all.</summary>
    public async Task<MimeMessage[]> WaitForAsync(int count, int timeoutMs = 30000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (Messages.Count < count)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Expected {count} email(s) at the SMTP server; {Messages.Count} arrived.");
            }

            await Task.Delay(50);
        }

        return [.. Messages];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            // stopped, as asked
        }

        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
