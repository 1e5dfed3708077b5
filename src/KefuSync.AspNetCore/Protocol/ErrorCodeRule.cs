namespace KefuSync.Protocol;

/// <summary>One row of docs/protocol.md §6: an error code, whether the same frame may succeed later, and what the error does to the connection.</summary>
/// <param name="Code">The stable code string.</param>
/// <param name="Retry">The <c>retry</c> member of every <c>error</c> frame with this code.</param>
/// <param name="ClosesWith">The close code the connection always gets after this error; 0 when it stays open.</param>
/// <param name="MayCloseWith">For an error that keeps the connection open except in one documented case, that case's close code; otherwise 0.</param>
internal sealed record ErrorCodeRule(string Code, bool Retry, int ClosesWith = 0, int MayCloseWith = 0);
