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
/// A host identity presented with the browser's anonymous token (<c>anon</c>) merges the anonymous conversation into its
/// own first (<see cref="ConversationMerge"/>, docs/protocol.md §2.5), so the welcome names the merged conversation.
/// </summary>
internal sealed partial class HelloHandler(FrameReplies replies, VisitorTokenService tokens, AvailabilityService availability, ConversationMerge merge, IOptionsMonitor<KefuSyncOptions> options, ILogger<HelloHandler> logger)
{
    public async ValueTask HandleAsync(ConnectionContext connection, ClientFrame frame, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (frame.Version != ProtocolConstants.Version)
        {
            replies.Error(connection, ErrorCodes.UnsupportedVersion, $"Protocol version {frame.Version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not supported; this server speaks {ProtocolConstants.Version}.");
            connection.Close(CloseCodes.ProtocolError, "unsupported version");
            return;
        }

        string? issuedToken = null;
        string? merged = null;
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

            if (check == TokenCheck.Valid && identity!.IsAnonymous && await WasMergedAsync(connection, identity, cancellationToken).ConfigureAwait(false))
            {
                // Merged into a signed-in identity: that conversation is theirs now, and this token (a logged-out page, or
                // someone who copied it) opens nothing. A fresh anonymous visitor, as after expiry.
                check = TokenCheck.Expired;
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
            if (frame.Anon is { } anon && !identity.IsAnonymous)
            {
                switch (await MergeAsync(connection, principal, anon, cancellationToken).ConfigureAwait(false))
                {
                    case null:
                        return; // the store failed: the connection is closed, the client keeps both tokens and says hello again
                    case { Length: > 0 } key:
                        merged = key;
                        break;
                }
            }
        }

        connection.Principal = principal;
        connection.MergedConversation = merged;
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
            transcript: principal.Role == PrincipalRole.Visitor && current.Email.Enabled,
            merged: merged));
    }

    /// <summary>
    /// The merge a hello with <c>token</c> (a host identity) and <c>anon</c> asks for: the anonymous conversation key when
    /// merged (now, or before into this same identity), "" when nothing merges (the anonymous token is forged, expired,
    /// of another key ring, not anonymous, or merged into someone else: the hello goes on as the host identity alone), and
    /// null when the store failed (answered <c>store_unavailable</c>, closed 1001: the client connects again with both).
    /// </summary>
    private async ValueTask<string?> MergeAsync(ConnectionContext connection, KefuPrincipal host, string anon, CancellationToken cancellationToken)
    {
        if (tokens.Read(anon, out var anonymous) != TokenCheck.Valid || anonymous is not { IsAnonymous: true })
        {
            Log.MergeTokenRefused(logger, connection.Id);
            return "";
        }

        try
        {
            return await merge.MergeAsync(host, anonymous, cancellationToken).ConfigureAwait(false) == ConversationMerge.Outcome.Merged
                ? ConversationKeys.ForVisitor(anonymous.Id)
                : "";
        }
        catch (StoreUnavailableException ex)
        {
            Log.MergeFailed(logger, connection.Id, ex.InnerException ?? ex);
            replies.Error(connection, ErrorCodes.StoreUnavailable, "The conversations could not be merged now; connect again.");
            connection.Close(CloseCodes.GoingAway, "merge incomplete");
            return null;
        }
    }

    /// <remarks>
    /// One revision read per anonymous hello (a connection's first frame, not a message), on purpose uncached: another
    /// node may merge the identity at any moment, and a cached "not merged" would let this one keep writing to a
    /// conversation that was just joined to another. A positive answer could be cached (a merge is for good); the
    /// negative one, every new visitor's, cannot, so a cache would save little.
    /// </remarks>
    private async ValueTask<bool> WasMergedAsync(ConnectionContext connection, VisitorIdentity identity, CancellationToken cancellationToken)
    {
        try
        {
            return await merge.IsMergedAsync(identity.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            // Store down: nothing can be read or written anyway, and refusing the hello would only hide the outage.
            Log.MergeFailed(logger, connection.Id, ex.InnerException ?? ex);
            return false;
        }
    }
}
