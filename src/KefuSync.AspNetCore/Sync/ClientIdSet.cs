namespace KefuSync.Sync;

/// <summary>
/// The logical clients (tabs) of a connection or a subscription: almost always one, so the first id is a field and a
/// hash set exists only from the second on. Measured in docs/benchmarks.md (idle density): two one-element hash sets per
/// connection were a third of a kilobyte of its footprint. Not thread-safe: owners use it under their own lock.
/// </summary>
internal sealed class ClientIdSet
{
    private string? _first;
    private HashSet<string>? _more;

    public int Count => (_first is null ? 0 : 1) + (_more?.Count ?? 0);

    public bool Contains(string client)
        => string.Equals(_first, client, StringComparison.Ordinal) || (_more?.Contains(client) ?? false);

    /// <summary>Adds <paramref name="client"/>; false when it was already there.</summary>
    public bool Add(string client)
    {
        if (Contains(client))
        {
            return false;
        }

        if (_first is null)
        {
            _first = client;
            return true;
        }

        return (_more ??= new HashSet<string>(StringComparer.Ordinal)).Add(client);
    }

    public bool Remove(string client)
    {
        if (string.Equals(_first, client, StringComparison.Ordinal))
        {
            _first = null;
            return true;
        }

        return _more?.Remove(client) ?? false;
    }

    public string[] ToArray()
    {
        var result = new string[Count];
        var i = 0;
        if (_first is not null)
        {
            result[i++] = _first;
        }

        if (_more is not null)
        {
            _more.CopyTo(result, i);
        }

        return result;
    }
}
