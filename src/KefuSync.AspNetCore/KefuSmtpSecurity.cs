namespace KefuSync;

/// <summary>How the SMTP connection is secured.</summary>
public enum KefuSmtpSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS, which must succeed (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>STARTTLS when the server offers it, else plain.</summary>
    StartTlsWhenAvailable,

    /// <summary>No TLS at all: only for a relay on the same machine or in tests.</summary>
    None,
}
