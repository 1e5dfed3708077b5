namespace KefuSync;

/// <summary>Whether the widget's offline form asks for an email.</summary>
public enum KefuOfflineEmail
{
    /// <summary>Asked for, and the visitor may skip it.</summary>
    Optional,

    /// <summary>Asked for before the first message while no agent is available.</summary>
    Required,

    /// <summary>Never asked for.</summary>
    Off,
}
