namespace KefuSync;

/// <summary>Visitor identity. Tokens are signed and encrypted with ASP.NET Core Data Protection; a multi-node site must share its key ring.</summary>
public sealed class KefuIdentityOptions
{
    /// <summary>How long a visitor token stays valid. Default 180 days; an expired anonymous token gets a fresh identity.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Whether visitors without a host-issued identity may chat anonymously. Default true.</summary>
    public bool AllowAnonymous { get; set; } = true;
}
