namespace KefuSync;

/// <summary>
/// Email follow-up: an agent's reply the visitor has not read within <see cref="UnreadDelay"/> is emailed to them, with a
/// link that reopens the conversation on any device; agents are emailed about messages left while none of them was
/// online; a visitor can ask for a transcript when a conversation closes. Delivery is durable and happens once per
/// email across every node (docs/configuration.md, "Email follow-up", says exactly what is guaranteed). Off by default.
/// </summary>
public sealed class KefuEmailOptions
{
    /// <summary>Whether KefuSync sends emails. Default false. When true, <see cref="LinkBaseUrl"/> and <see cref="From"/> are required.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The public absolute URL of the KefuSync endpoints as visitors reach them, e.g. <c>https://shop.example.com/kefu</c>
    /// (include any path base). Links in emails are built from it, never from a request's Host header, which a client
    /// chooses.
    /// </summary>
    public string LinkBaseUrl { get; set; } = "";

    /// <summary>The sender, as <c>address</c> or <c>Name &lt;address&gt;</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>How long an agent's reply may stay unread before it is emailed. Default 10 minutes.</summary>
    public TimeSpan UnreadDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most one follow-up email per conversation within this time (later replies wait and go in one email). Default 30 minutes.</summary>
    public TimeSpan Throttle { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long the link in an email signs its visitor in. Default 48 hours.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Addresses told about visitor messages left while no agent was online (empty: nobody). Throttled per conversation like follow-ups.</summary>
    public IList<string> AgentAddresses { get; set; } = [];

    /// <summary>How long a message waits for an agent to come online before agents are emailed about it. Default 2 minutes.</summary>
    public TimeSpan AgentDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a node owns an email it started to send. A node that dies mid-send loses it after this time, and another node
    /// (or the same one restarted) sends it again with the same Message-ID. Keep it well above <see cref="KefuSmtpOptions.Timeout"/>. Default 2 minutes.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often each node looks for emails that are due (also right after each change it makes). Default 5 seconds.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Sending attempts per email before it is given up (logged, and recorded as failed). Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The SMTP server of the default sender (ignored when the host registers its own <see cref="IKefuEmailSender"/>).</summary>
    public KefuSmtpOptions Smtp { get; set; } = new();
}
