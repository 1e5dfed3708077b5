namespace KefuSync.Protocol;

/// <summary>
/// A validated channel name (docs/protocol.md §3): <c>kind:key</c> or one of the keyless names <c>inbox</c> and
/// <c>site</c>, in the shape of <see cref="Identifiers.IsChannelShape"/>.
/// </summary>
internal readonly record struct ChannelName(string Value, ChannelKind Kind, string Key)
{
    /// <summary>Whether the channel holds an OT text document.</summary>
    public bool IsText => Kind is ChannelKind.VisitorDraft or ChannelKind.Draft or ChannelKind.Note or ChannelKind.Canned;

    public static bool TryParse([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value, out ChannelName name)
    {
        name = default;
        if (!Identifiers.IsChannelShape(value))
        {
            return false;
        }

        if (value == "inbox")
        {
            name = Inbox;
            return true;
        }

        if (value == "site")
        {
            name = Site;
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
            "settings" when key == HoursSettingKey => ChannelKind.Settings, // the only setting so far
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

    /// <summary>The key of the business hours' settings channel.</summary>
    public const string HoursSettingKey = "hours";

    /// <summary>The business hours edited in the console (docs/protocol.md §4.4).</summary>
    public static ChannelName HoursSettings { get; } = new("settings:" + HoursSettingKey, ChannelKind.Settings, HoursSettingKey);

    /// <summary>The agents' inbox.</summary>
    public static ChannelName Inbox { get; } = new("inbox", ChannelKind.Inbox, "");

    /// <summary>The site-wide presence channel.</summary>
    public static ChannelName Site { get; } = new("site", ChannelKind.Site, "");

    public override string ToString() => Value;
}
