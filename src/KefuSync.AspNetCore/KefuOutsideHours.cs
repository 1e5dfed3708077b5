namespace KefuSync;

/// <summary>What the visitor widget does outside business hours.</summary>
public enum KefuOutsideHours
{
    /// <summary>Keep the launcher; the chat says when agents are back and offers the offline form (an email to reply to).</summary>
    OfflineForm,

    /// <summary>Hide the launcher (a conversation the visitor already has stays reachable once it has messages).</summary>
    HideLauncher,

    /// <summary>Chat as usual, with the "back at" note: messages wait for the agents.</summary>
    KeepOpen,
}
