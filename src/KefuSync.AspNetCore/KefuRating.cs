namespace KefuSync;

/// <summary>How a visitor rates a closed conversation (<see cref="KefuConversationOptions.Rating"/>; docs/protocol.md §4.2 <c>rate</c>).</summary>
public enum KefuRating
{
    /// <summary>Five stars: a score of 1 to 5.</summary>
    Stars = 0,

    /// <summary>Thumbs down or up, stored as the scores 1 and 5 so one metric and one inbox column fit both.</summary>
    Thumbs = 1,

    /// <summary>No rating: <c>rate</c> ops are refused.</summary>
    Off = 2,
}
