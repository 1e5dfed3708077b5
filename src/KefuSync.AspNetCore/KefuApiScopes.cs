namespace KefuSync;

/// <summary>
/// What an API key may do (docs/rest-api.md, "Scopes"). Each endpoint needs one scope; a key without it gets 403
/// <c>forbidden</c>. A key created in the console lists its scopes; a key in the options with none listed has every
/// scope, as every key had before scopes existed.
/// </summary>
public static class KefuApiScopes
{
    /// <summary>List and read conversations.</summary>
    public const string ConversationsRead = "conversations:read";

    /// <summary>Close, reopen and assign conversations.</summary>
    public const string ConversationsWrite = "conversations:write";

    /// <summary>Read a conversation's messages and other ops.</summary>
    public const string MessagesRead = "messages:read";

    /// <summary>Post messages as the key's agent or bot.</summary>
    public const string MessagesWrite = "messages:write";

    /// <summary>Read a visitor's profile: name, email, language and the host's signed fields.</summary>
    public const string VisitorsRead = "visitors:read";

    /// <summary>Every scope, in the order the console lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [ConversationsRead, MessagesRead, MessagesWrite, ConversationsWrite, VisitorsRead];
}
