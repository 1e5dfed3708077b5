namespace KefuSync.Protocol;

/// <summary>The kinds of channel of docs/protocol.md §3.</summary>
internal enum ChannelKind
{
    /// <summary><c>conv:KEY</c>: a conversation's messages (message ops, never trimmed).</summary>
    Conversation,

    /// <summary><c>vdraft:KEY</c>: the visitor's unsent input (OT text).</summary>
    VisitorDraft,

    /// <summary><c>draft:KEY</c>: agents' shared reply draft (OT text).</summary>
    Draft,

    /// <summary><c>note:KEY</c>: internal notes (OT text).</summary>
    Note,

    /// <summary><c>canned:NAME</c>: a canned reply (OT text).</summary>
    Canned,

    /// <summary><c>inbox</c>: conversation summaries, written by the server.</summary>
    Inbox,

    /// <summary><c>site</c>: presence only; who is on the site and which agents are online.</summary>
    Site,

    /// <summary><c>settings:hours</c>: the site's settings edited in the console (the business hours); the last op counts.</summary>
    Settings,
}
