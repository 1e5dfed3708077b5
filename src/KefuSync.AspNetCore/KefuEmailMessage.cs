namespace KefuSync;

/// <summary>An email KefuSync wants sent (see <see cref="IKefuEmailSender"/>). User text in <see cref="HtmlBody"/> is already HTML-encoded.</summary>
public sealed record KefuEmailMessage
{
    /// <summary>
    /// The Message-ID, without angle brackets: the same for every attempt at the same email, so a copy sent again after a
    /// crash is recognisable (and dropped by receivers and mail APIs that deduplicate by it).
    /// </summary>
    public required string MessageId { get; init; }

    /// <summary>The sender, as <c>address</c> or <c>Name &lt;address&gt;</c> (<see cref="KefuEmailOptions.From"/>).</summary>
    public required string From { get; init; }

    /// <summary>The recipient's address.</summary>
    public required string To { get; init; }

    /// <summary>The subject line.</summary>
    public required string Subject { get; init; }

    /// <summary>The plain-text part.</summary>
    public required string TextBody { get; init; }

    /// <summary>The HTML part.</summary>
    public required string HtmlBody { get; init; }

    /// <summary>The language the email is written in: <c>en</c> or <c>zh-CN</c> (the <c>Content-Language</c> header).</summary>
    public required string Language { get; init; }

    /// <summary>
    /// Extra headers: <c>List-Unsubscribe</c> and <c>List-Unsubscribe-Post</c> (RFC 8058 one-click unsubscribe) on visitor
    /// emails, and <c>Auto-Submitted: auto-generated</c> on all of them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
