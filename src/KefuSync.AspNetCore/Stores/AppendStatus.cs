namespace KefuSync.Stores;

/// <summary>Outcome of <see cref="IOpStore.AppendAsync"/>. Conflicts and duplicates are results, never exceptions.</summary>
public enum AppendStatus
{
    /// <summary>The operation was appended; <see cref="AppendResult.Revision"/> is its new revision.</summary>
    Appended,

    /// <summary>The channel's head was not the expected revision; nothing was written. <see cref="AppendResult.Revision"/> is the current head.</summary>
    Conflict,

    /// <summary>The client op id was already committed; nothing was written. <see cref="AppendResult.Revision"/> is the original revision.</summary>
    Duplicate,
}
