namespace KefuSync;

/// <summary>Conversation rules.</summary>
public sealed class KefuConversationOptions
{
    /// <summary>How long after sending an agent may edit or recall their message. Default 2 minutes.</summary>
    public TimeSpan EditWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages sent per page of history and per first load. Default 50.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>How the visitor rates a closed conversation: <see cref="KefuRating.Stars"/> (default), <see cref="KefuRating.Thumbs"/> or <see cref="KefuRating.Off"/>.</summary>
    public KefuRating Rating { get; set; } = KefuRating.Stars;
}
