using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;

namespace KefuSync.Presence;

/// <summary>
/// Who sees whose presence (docs/protocol.md §2.2, <c>presence</c>): on the <c>site</c> channel a visitor learns only
/// which agents are online, never who else visits and where; everywhere else a subscriber (who passed
/// <see cref="ChannelAccess.CanRead"/>) sees every entry. Each list is serialized once per change for all viewers.
/// </summary>
internal static class PresencePrivacy
{
    /// <summary>The channel's list for viewers who see everything, and for those who see agents only (the same array off <c>site</c>).</summary>
    public static (byte[] Full, byte[] AgentsOnly) Frames(string channel, PresenceView[] views)
    {
        var full = FrameWriter.Presence(channel, views);
        var agentsOnly = channel == ChannelName.Site.Value ? FrameWriter.Presence(channel, views.Where(v => v.Role == "agent")) : full;
        return (full, agentsOnly);
    }

    /// <summary>The frame <paramref name="subscription"/>'s connection may see.</summary>
    public static byte[] ForViewer(ChannelSubscription subscription, byte[] full, byte[] agentsOnly)
        => subscription.Channel.Kind == ChannelKind.Site && subscription.Connection.Principal?.Role != PrincipalRole.Agent ? agentsOnly : full;
}
