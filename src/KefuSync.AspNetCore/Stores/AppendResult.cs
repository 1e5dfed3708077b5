namespace KefuSync.Stores;

/// <summary>Result of an append: what happened and the revision it refers to (see <see cref="AppendStatus"/>).</summary>
/// <param name="Status">Appended, Conflict or Duplicate.</param>
/// <param name="Revision">New revision, current head, or original revision, depending on <paramref name="Status"/>.</param>
public readonly record struct AppendResult(AppendStatus Status, long Revision)
{
    /// <summary>An append that wrote revision <paramref name="revision"/>.</summary>
    public static AppendResult Appended(long revision) => new(AppendStatus.Appended, revision);

    /// <summary>An append refused because the head is <paramref name="head"/>.</summary>
    public static AppendResult Conflict(long head) => new(AppendStatus.Conflict, head);

    /// <summary>An append whose client op id was already committed at <paramref name="original"/>.</summary>
    public static AppendResult Duplicate(long original) => new(AppendStatus.Duplicate, original);
}
