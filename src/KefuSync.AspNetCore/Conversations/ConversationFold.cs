using KefuSync.Security;

namespace KefuSync.Conversations;

/// <summary>
/// How one committed conversation op changes the conversation's summary. Pure, so every node folds the same way.
/// The rules it applies (what reopens, what a read marks) are in <see cref="ConversationRules"/>.
/// </summary>
internal static class ConversationFold
{
    private const int MaxUnread = 99;

    public static ConversationSummary Apply(ConversationSummary current, KefuPrincipal author, long revision, long timestampMs, in MessageOp op)
    {
        // Every member is computed first and the record copied once: the inbox folds every committed message, and a
        // copy per changed member was a visible share of a busy server's allocations.
        var activity = Math.Max(current.Activity, timestampMs);
        var visitorId = current.VisitorId;
        var visitorName = current.VisitorName;
        var visitorGen = current.VisitorGen;
        var fields = current.Fields;
        if (author.Visitor is { } visitor)
        {
            visitorId = visitor.Id;
            visitorName = visitor.Name;
            visitorGen = visitor.GeneratedTag();
            fields = visitor.Fields.Count > 0 ? visitor.Fields : fields;
        }

        var lastText = current.LastText;
        var lastRole = current.LastRole;
        var lastName = current.LastName;
        var lastRevision = current.LastRevision;
        var unread = current.UnreadRevisions;
        var agentRead = current.AgentRead;
        var visitorRead = current.VisitorRead;
        var status = current.Status;
        var assignee = current.Assignee;
        var email = current.Email;
        var replyFrom = current.ReplyFrom;
        var replyAt = current.ReplyAt;
        var replyTo = current.ReplyTo;
        var replyToAt = current.ReplyToAt;
        var lang = current.Lang;
        var rating = current.Rating;
        var ratingComment = current.RatingComment;
        var (transcript, transcriptTo, transcriptLang) = (current.Transcript, current.TranscriptTo, current.TranscriptLang);
        var waitingSince = current.WaitingSince;
        var merged = current.Merged;
        var human = current.Human;
        if (email is null && author.Visitor?.Fields.TryGetValue("email", out var signed) == true && Email.EmailAddress.IsValid(signed))
        {
            email = signed; // signed into the identity by the host (visitor-field-email)
        }
        var isAgentSide = ConversationRules.IsAgentSide(author);
        switch (op.Kind)
        {
            case "msg":
                if (revision > lastRevision)
                {
                    (lastText, lastRole, lastName, lastRevision) = (op.Text ?? (op.AttachmentName is { } file ? "📎 " + file : null), author.RoleName, author.Name, revision);
                }

                if (author.Role == PrincipalRole.Agent)
                {
                    human = false; // a person answered: the handover is served
                }

                if (isAgentSide)
                {
                    // Answering means having read what came before.
                    unread = [];
                    agentRead = Math.Max(agentRead, revision);
                    waitingSince = 0; // answered
                    if (revision > visitorRead)
                    {
                        // A reply the visitor has not read yet: the email follow-up's clock starts at the first of them.
                        (replyFrom, replyAt) = replyFrom > visitorRead ? (replyFrom, replyAt) : (revision, timestampMs);
                        (replyTo, replyToAt) = revision > replyTo ? (revision, timestampMs) : (replyTo, replyToAt);
                    }
                }
                else
                {
                    unread = unread.Length >= MaxUnread ? unread : [.. unread, revision];
                    waitingSince = waitingSince == 0 ? timestampMs : waitingSince;
                    status = ConversationRules.StatusAfterVisitorMessage(status);
                }

                break;
            case "read" when isAgentSide:
                var upTo = op.Target;
                agentRead = Math.Max(agentRead, upTo);
                unread = ConversationRules.UnreadAfterRead(unread, upTo);
                activity = current.Activity; // reading is not activity: it must not reorder the inbox
                break;
            case "read":
                visitorRead = Math.Max(visitorRead, op.Target);
                activity = current.Activity;
                if (visitorRead >= replyTo)
                {
                    (replyFrom, replyAt) = (0, 0); // every reply read: nothing to email
                }

                break;
            case "contact":
                email = op.Value;
                lang = op.Lang;
                activity = current.Activity;
                break;
            case "merged":
                merged = true;
                activity = current.Activity;
                break;
            case "rate":
                // Kept after a reopen: it is the verdict on the last close, until the next close is rated.
                (rating, ratingComment) = ((int)op.Target, op.Text);
                break;
            case "transcript":
                (transcript, transcriptTo, transcriptLang) = (revision, op.Value, op.Lang);
                activity = current.Activity; // asking for an email is not activity: it must not reorder the inbox
                break;
            case "status":
                status = op.Value!;
                human = status != "closed" && human;
                break;
            case "assign":
                assignee = string.IsNullOrEmpty(op.Value) ? null : op.Value;
                human = assignee is null && human; // someone (an agent, or a bot again) has it now
                break;
            case "handover":
                // From the bot to people: it no longer holds the conversation, which waits for a person (docs/bots.md).
                assignee = ConversationRules.IsBot(assignee) ? null : assignee;
                human = assignee is null;
                break;
            case "edit" when op.Target == lastRevision:
                lastText = op.Text;
                break;
            case "recall" when op.Target == lastRevision:
                lastText = null;
                break;
        }

        return current with
        {
            Activity = activity,
            VisitorId = visitorId,
            VisitorName = visitorName,
            VisitorGen = visitorGen,
            Fields = fields,
            LastText = lastText,
            LastRole = lastRole,
            LastName = lastName,
            LastRevision = lastRevision,
            UnreadRevisions = unread,
            AgentRead = agentRead,
            VisitorRead = visitorRead,
            Status = status,
            Assignee = assignee,
            Email = email,
            ReplyFrom = replyFrom,
            ReplyAt = replyAt,
            ReplyTo = replyTo,
            ReplyToAt = replyToAt,
            Lang = lang,
            Rating = rating,
            RatingComment = ratingComment,
            Transcript = transcript,
            TranscriptTo = transcriptTo,
            TranscriptLang = transcriptLang,
            WaitingSince = waitingSince,
            Merged = merged,
            Human = human,
        };
    }
}
