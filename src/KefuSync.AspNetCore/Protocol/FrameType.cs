namespace KefuSync.Protocol;

/// <summary>Client → server frame types (docs/protocol.md §2.1).</summary>
internal enum FrameType
{
    Unknown = 0,
    Hello,
    Sub,
    Unsub,
    Submit,
    Presence,
    History,
    Bye,
    Ping,
    List,
}
