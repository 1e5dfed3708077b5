using KefuSync.Availability;
using KefuSync.Conversations;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.Dispatch;

/// <summary>
/// <c>hello</c> (docs/protocol.md §2.1): the versioned handshake. Sets the connection's principal: the agent the HTTP
/// user passed the agent policy as, or a visitor from a valid token (or a fresh anonymous one), and answers <c>welcome</c>.
/// </summary>
internal sealed partial class HelloHandler(FrameReplies replies, VisitorTokenService tokens, AvailabilityService availability, IOptionsMonitor<KefuSyncOptions> options, ILogger<HelloHandler> logger)
{
    public void Handle(ConnectionContext connection, in ClientFrame frame)
    {
        var current = options.CurrentValue;
        if (frame.Version != ProtocolConstants.Version)
        {
            replies.Error(connection, ErrorCodes.UnsupportedVersion, $"Protocol version {frame.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not supported; this server speaks {ProtocolConstants.Version}.");
            connection.Close(CloseCodes.ProtocolError, "unsupported version");
            return;
        }

        string? issuedToken = null;
        KefuPrincipal principal;
        if (frame.Agent)
        {
            if (connection.AgentCandidate is null)
            {
                replies.Error(connection, ErrorCodes.Forbidden, "This user does not pass the agent policy.");
                connection.Close(CloseCodes.Forbidden, "not an agent");
                return;
            }

            principal = connection.AgentCandidate;
        }
        else
        {
            VisitorIdentity? identity = null;
            var check = frame.Token is null ? TokenCheck.Expired : tokens.Read(frame.Token, out identity);
            if (check == TokenCheck.Forged)
            {
                Log.ForgedToken(logger, connection.Id);
                replies.Error(connection, ErrorCodes.AuthFailed, "The visitor token is not valid.");
                connection.Close(CloseCodes.AuthFailed, "bad token");
                return;
            }

            if (check == TokenCheck.Expired && identity is { IsAnonymous: false })
            {
                // A host identity past its lifetime: the page renders a fresh one; don't silently turn it anonymous.
                replies.Error(connection, ErrorCodes.AuthFailed, "The visitor token has expired; reload the page.");
                connection.Close(CloseCodes.AuthFailed, "expired token");
                return;
            }

            if (check == TokenCheck.Expired)
            {
                if (!current.Identity.AllowAnonymous)
                {
                    replies.Error(connection, ErrorCodes.AuthFailed, "Anonymous visitors are not allowed on this site.");
                    connection.Close(CloseCodes.AuthFailed, "anonymous not allowed");
                    return;
                }

                (issuedToken, identity) = tokens.IssueAnonymous();
            }

            principal = new KefuPrincipal(identity!.Id, identity.Name, PrincipalRole.Visitor, ConversationKeys.ForVisitor(identity.Id), identity);
        }

        connection.Principal = principal;
        var ttl = (int)current.Presence.Ttl.TotalMilliseconds;
        connection.Send(FrameWriter.Welcome(
            connection.Id,
            principal.Id,
            principal.Name,
            principal.RoleName,
            issuedToken,
            principal.ConversationKey,
            heartbeatMs: Math.Max(1000, ttl / 3),
            ttlMs: ttl,
            maxFrame: current.Limits.MaxFrameBytes,
            maxText: current.Limits.MaxMessageChars,
            maxFile: current.Attachments.MaxBytes,
            maxPixels: current.Attachments.MaxImagePixels,
            fileTypes: !current.Attachments.Enabled ? null
                : current.Attachments.AllowedTypes.Count == 0 ? KefuAttachmentOptions.DefaultAllowedTypes
                // Bound or assigned lists are List<string>: written as they are, not copied on every hello.
                : current.Attachments.AllowedTypes as IReadOnlyList<string> ?? [.. current.Attachments.AllowedTypes],
            availability: principal.Role == PrincipalRole.Visitor ? availability.For(principal.Visitor) : null,
            rating: principal.Role != PrincipalRole.Visitor ? null : current.Conversations.Rating switch
            {
                KefuRating.Stars => "stars",
                KefuRating.Thumbs => "thumbs",
                _ => null,
            },
            transcript: principal.Role == PrincipalRole.Visitor && current.Email.Enabled));
    }
}
