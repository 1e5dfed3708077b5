namespace KefuSync;

/// <summary>A text document at a revision.</summary>
/// <param name="Text">The text.</param>
/// <param name="Revision">The revision it reflects; use it as the base of an op made against this text.</param>
public sealed record KefuDocument(string Text, long Revision);
