namespace KefuSync;

/// <summary>
/// Sends one email. KefuSync's default sends it over SMTP with MailKit (<see cref="KefuEmailOptions.Smtp"/>); a host that
/// sends mail another way (an HTTP mail API, its own queue) registers its own with
/// <c>AddKefuSync().UseEmailSender&lt;T&gt;()</c>.
/// </summary>
/// <remarks>
/// Return only once the message was accepted for delivery, and throw when it was not: KefuSync records an email as sent
/// only after this returns, and sends it again (same <see cref="KefuEmailMessage.MessageId"/>) after a failure or a crash.
/// A sender whose service deduplicates by id (or by <see cref="KefuEmailMessage.MessageId"/>) turns that into exactly-once
/// delivery.
/// </remarks>
public interface IKefuEmailSender
{
    /// <summary>Sends <paramref name="message"/>; completes when it was accepted for delivery.</summary>
    Task SendAsync(KefuEmailMessage message, CancellationToken cancellationToken);
}
