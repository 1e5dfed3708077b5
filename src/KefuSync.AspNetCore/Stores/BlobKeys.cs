namespace KefuSync.Stores;

/// <summary>The key syntax of <see cref="IBlobStore"/>: segments of <c>[A-Za-z0-9_.-]</c> joined by <c>/</c>, at most 300 chars.</summary>
internal static class BlobKeys
{
    public const int MaxLength = 300;

    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxLength)
        {
            return false;
        }

        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.AsSpan().ContainsAnyExcept(Allowed))
            {
                return false;
            }
        }

        return true;
    }

    public static void Validate(string key)
    {
        if (!IsValid(key))
        {
            throw new ArgumentException($"'{key}' is not a blob key: 1-{MaxLength} chars of [A-Za-z0-9_.-] in segments separated by '/'.", nameof(key));
        }
    }

    private static readonly System.Buffers.SearchValues<char> Allowed =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
}
