namespace KefuSync.Security;

/// <summary>Outcome of reading a visitor token.</summary>
internal enum TokenCheck
{
    Valid,
    Expired,
    Forged,
}
