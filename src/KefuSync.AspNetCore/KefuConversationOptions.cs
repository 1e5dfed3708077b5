namespace KefuSync;

/// <summary>Conversation rules.</summary>
public sealed class KefuConversationOptions
{
    /// <summary>How long after sending an agent may edit or recall their message. Default 2 minutes.</summary>
    public TimeSpan EditWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages sent per page of history and per first load. Default 50.</summary>
    public int PageSize { get; set; } = 50;
}
