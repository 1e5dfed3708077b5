namespace KefuSync.Sync;

/// <summary>A validated channel name: <c>kind:key</c>, at most 128 chars of <c>[A-Za-z0-9:_.-]</c>.</summary>
internal readonly record struct ChannelName(string Value, ChannelKind Kind, string Key)
{
    public const int MaxLength = 128;

    /// <summary>Whether the channel holds an OT text document.</summary>
    public bool IsText => Kind is ChannelKind.VisitorDraft or ChannelKind.Draft or ChannelKind.Note or ChannelKind.Canned;

    public static bool TryParse(string? value, out ChannelName name)
    {
        name = default;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var ch in value)
        {
            if (!(char.IsAsciiLetterOrDigit(ch) || ch is ':' or '_' or '.' or '-'))
            {
                return false;
            }
        }

        if (value == "inbox")
        {
            name = new ChannelName(value, ChannelKind.Inbox, "");
            return true;
        }

        if (value == "site")
        {
            name = new ChannelName(value, ChannelKind.Site, "");
            return true;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            return false;
        }

        var key = value[(colon + 1)..];
        ChannelKind? kind = value.AsSpan(0, colon) switch
        {
            "conv" => ChannelKind.Conversation,
            "vdraft" => ChannelKind.VisitorDraft,
            "draft" => ChannelKind.Draft,
            "note" => ChannelKind.Note,
            "canned" => ChannelKind.Canned,
            _ => null,
        };
        if (kind is null)
        {
            return false;
        }

        name = new ChannelName(value, kind.Value, key);
        return true;
    }

    public static ChannelName Conversation(string key) => new("conv:" + key, ChannelKind.Conversation, key);

    public static ChannelName VisitorDraft(string key) => new("vdraft:" + key, ChannelKind.VisitorDraft, key);

    public override string ToString() => Value;
}
