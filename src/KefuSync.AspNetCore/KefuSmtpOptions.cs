namespace KefuSync;

/// <summary>The SMTP server the default email sender (MailKit) talks to.</summary>
public sealed class KefuSmtpOptions
{
    /// <summary>Host name of the SMTP server.</summary>
    public string Host { get; set; } = "";

    /// <summary>Port. Default 587 (submission with STARTTLS).</summary>
    public int Port { get; set; } = 587;

    /// <summary>Transport security. Default <see cref="KefuSmtpSecurity.StartTls"/>.</summary>
    public KefuSmtpSecurity Security { get; set; } = KefuSmtpSecurity.StartTls;

    /// <summary>User name; empty sends without authenticating.</summary>
    public string UserName { get; set; } = "";

    /// <summary>Password for <see cref="UserName"/>.</summary>
    public string Password { get; set; } = "";

    /// <summary>Timeout of each SMTP command. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
