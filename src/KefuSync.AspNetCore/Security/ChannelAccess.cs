using KefuSync.Protocol;

namespace KefuSync.Security;

/// <summary>
/// The one place that decides who may read and write which channel (docs/protocol.md §3). Every subscribe, submit,
/// presence and history request goes through it, so a hand-crafted frame cannot reach another visitor's channel.
/// </summary>
internal static class ChannelAccess
{
    public static bool CanRead(KefuPrincipal principal, in ChannelName channel) => principal.Role switch
    {
        PrincipalRole.Agent or PrincipalRole.Server => true,
        _ => channel.Kind switch
        {
            ChannelKind.Conversation or ChannelKind.VisitorDraft => channel.Key == principal.ConversationKey,
            ChannelKind.Site => true, // visitors see a filtered view: agents only (see PresenceTracker)
            _ => false,
        },
    };

    public static bool CanSubmit(KefuPrincipal principal, in ChannelName channel) => principal.Role switch
    {
        PrincipalRole.Server => channel.Kind is not ChannelKind.Site,
        PrincipalRole.Agent => channel.Kind is not (ChannelKind.VisitorDraft or ChannelKind.Inbox or ChannelKind.Site),
        _ => channel.Kind switch
        {
            ChannelKind.Conversation or ChannelKind.VisitorDraft => channel.Key == principal.ConversationKey,
            _ => false,
        },
    };

    public static bool CanSetPresence(KefuPrincipal principal, in ChannelName channel)
        => channel.Kind == ChannelKind.Site || CanRead(principal, channel);
}
