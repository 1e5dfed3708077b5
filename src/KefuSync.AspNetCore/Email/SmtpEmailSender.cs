using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace KefuSync.Email;

/// <summary>
/// The default <see cref="IKefuEmailSender"/>: one SMTP session per email with MailKit (emails are rare: a follow-up per
/// conversation at most every <see cref="KefuEmailOptions.Throttle"/>). It returns only after the server answered the
/// message with a 2xx, which is the moment the email counts as sent.
/// </summary>
internal sealed partial class SmtpEmailSender(IOptionsMonitor<KefuSyncOptions> options, ILogger<SmtpEmailSender> logger) : IKefuEmailSender
{
    public async Task SendAsync(KefuEmailMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var smtp = options.CurrentValue.Email.Smtp;
        if (string.IsNullOrWhiteSpace(smtp.Host))
        {
            throw new InvalidOperationException("KefuSync:Email:Smtp:Host is empty: set the SMTP server, or register your own sender with AddKefuSync().UseEmailSender<T>().");
        }

        using var mime = Build(message);
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = smtp.Security switch
        {
            KefuSmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            KefuSmtpSecurity.StartTlsWhenAvailable => SecureSocketOptions.StartTlsWhenAvailable,
            KefuSmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host, smtp.Port, security, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password, cancellationToken).ConfigureAwait(false);
        }

        var response = await client.SendAsync(mime, cancellationToken).ConfigureAwait(false);
        Log.Sent(logger, message.MessageId, response);
        try
        {
            await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SmtpCommandException or SmtpProtocolException or OperationCanceledException)
        {
            // Sent already (the server accepted the message above): a QUIT that fails changes nothing.
            Log.QuitFailed(logger, message.MessageId, ex);
        }
    }

    /// <summary>The MIME message: multipart/alternative with the text part first, and the deterministic Message-ID.</summary>
    internal static MimeMessage Build(KefuEmailMessage message)
    {
        var mime = new MimeMessage();
        if (!EmailAddress.TryParseMailbox(message.From, out var fromName, out var fromAddress))
        {
            throw new InvalidOperationException($"The sender '{message.From}' is not an address or 'Name <address>'.");
        }

        mime.From.Add(new MailboxAddress(fromName, fromAddress));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.MessageId = message.MessageId;
        foreach (var (name, value) in message.Headers)
        {
            mime.Headers.Replace(name, value);
        }

        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        mime.Body = body.ToMessageBody();
        // A Content-* header belongs to the body entity (MimeKit writes the message's own content headers from it).
        mime.Body.Headers.Replace(HeaderId.ContentLanguage, message.Language);
        return mime;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, EventName = "EmailSent", Level = LogLevel.Information, Message = "Email {MessageId} accepted by the SMTP server: {Response}.")]
        public static partial void Sent(ILogger logger, string messageId, string response);

        [LoggerMessage(EventId = 2102, EventName = "SmtpQuitFailed", Level = LogLevel.Debug, Message = "QUIT after email {MessageId} failed; the email was sent.")]
        public static partial void QuitFailed(ILogger logger, string messageId, Exception exception);
    }
}
