using KefuSync.Security;

namespace KefuSync.Conversations;

/// <summary>
/// How one committed conversation op changes the conversation's summary. Pure, so every node folds the same way.
/// A visitor message reopens a closed conversation; an agent message or read clears the unread count.
/// </summary>
internal static class ConversationFold
{
    private const int MaxUnread = 99;

    public static ConversationSummary Apply(ConversationSummary current, KefuPrincipal author, long revision, long timestampMs, in MessageOp op)
    {
        var next = current with { Activity = Math.Max(current.Activity, timestampMs) };
        if (author.Visitor is { } visitor)
        {
            next = next with { VisitorId = visitor.Id, VisitorName = visitor.Name, Fields = visitor.Fields.Count > 0 ? visitor.Fields : next.Fields };
        }

        var isAgentSide = author.Role != PrincipalRole.Visitor;
        switch (op.Kind)
        {
            case "msg":
                if (revision > next.LastRevision)
                {
                    next = next with { LastText = op.Text, LastRole = author.RoleName, LastName = author.Name, LastRevision = revision };
                }

                if (isAgentSide)
                {
                    // Answering means having read what came before.
                    next = next with { UnreadRevisions = [], AgentRead = Math.Max(next.AgentRead, revision) };
                }
                else
                {
                    next = next with
                    {
                        UnreadRevisions = next.UnreadRevisions.Length >= MaxUnread ? next.UnreadRevisions : [.. next.UnreadRevisions, revision],
                        Status = next.Status == "closed" ? "open" : next.Status,
                    };
                }

                break;
            case "read" when isAgentSide:
                var upTo = op.Target;
                next = next with
                {
                    AgentRead = Math.Max(next.AgentRead, upTo),
                    UnreadRevisions = Array.FindAll(next.UnreadRevisions, r => r > upTo),
                    Activity = current.Activity, // reading is not activity: it must not reorder the inbox
                };
                break;
            case "read":
                next = next with { VisitorRead = Math.Max(next.VisitorRead, op.Target), Activity = current.Activity };
                break;
            case "status":
                next = next with { Status = op.Value! };
                break;
            case "assign":
                next = next with { Assignee = string.IsNullOrEmpty(op.Value) ? null : op.Value };
                break;
            case "edit" when op.Target == next.LastRevision:
                next = next with { LastText = op.Text };
                break;
            case "recall" when op.Target == next.LastRevision:
                next = next with { LastText = null };
                break;
        }

        return next;
    }
}
