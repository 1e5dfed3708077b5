using KefuSync.Security;

namespace KefuSync.Conversations;

/// <summary>
/// How one committed conversation op changes the conversation's summary. Pure, so every node folds the same way.
/// The rules it applies (what reopens, what a read marks) are in <see cref="ConversationRules"/>.
/// </summary>
internal static class ConversationFold
{
    private const int MaxUnread = 99;

    /// <summary>The summary after one op.</summary>
    public static ConversationSummary Apply(ConversationSummary current, KefuPrincipal author, long revision, long timestampMs, in MessageOp op)
    {
        var state = new Running(current);
        state.Apply(author, revision, timestampMs, op);
        return state.ToSummary(current);
    }

    /// <summary>
    /// The summary after every op of <paramref name="ops"/>, in order: the same as <see cref="Apply"/> once per op, but
    /// the record is copied once. The inbox folds a busy conversation's half second of messages at a time, and a copy
    /// per message was a tenth of a busy server's allocations (docs/benchmarks.md, "Performance, round 3").
    /// </summary>
    public static ConversationSummary ApplyAll(ConversationSummary current, List<InboxPendingOp> ops)
    {
        var state = new Running(current);
        foreach (var op in ops)
        {
            state.Apply(op.Author, op.Revision, op.Timestamp, op.Op);
        }

        return state.ToSummary(current);
    }

    /// <summary>The members an op can change, as mutable locals: folded op by op, copied into a record once.</summary>
    private struct Running(ConversationSummary current)
    {
        private long _activity = current.Activity;
        private string? _visitorId = current.VisitorId;
        private string? _visitorName = current.VisitorName;
        private string? _visitorGen = current.VisitorGen;
        private Dictionary<string, string>? _fields = current.Fields;
        private string? _lastText = current.LastText;
        private string? _lastRole = current.LastRole;
        private string? _lastName = current.LastName;
        private long _lastRevision = current.LastRevision;
        private long[] _unread = current.UnreadRevisions;
        private long _agentRead = current.AgentRead;
        private long _visitorRead = current.VisitorRead;
        private string _status = current.Status;
        private string? _assignee = current.Assignee;
        private string? _email = current.Email;
        private long _replyFrom = current.ReplyFrom;
        private long _replyAt = current.ReplyAt;
        private long _replyTo = current.ReplyTo;
        private long _replyToAt = current.ReplyToAt;
        private string? _lang = current.Lang;
        private int? _rating = current.Rating;
        private string? _ratingComment = current.RatingComment;
        private long _transcript = current.Transcript;
        private string? _transcriptTo = current.TranscriptTo;
        private string? _transcriptLang = current.TranscriptLang;
        private long _waitingSince = current.WaitingSince;
        private bool _merged = current.Merged;
        private bool _human = current.Human;

        public void Apply(KefuPrincipal author, long revision, long timestampMs, in MessageOp op)
        {
            var before = _activity; // an op that is not activity puts it back
            _activity = Math.Max(_activity, timestampMs);
            if (author.Visitor is { } visitor)
            {
                _visitorId = visitor.Id;
                _visitorName = visitor.Name;
                _visitorGen = visitor.GeneratedTag();

                _fields = visitor.Fields.Count > 0 ? visitor.Fields : _fields;
            }

            if (_email is null && author.Visitor?.Fields.TryGetValue("email", out var signed) == true && Email.EmailAddress.IsValid(signed))
            {
                _email = signed; // signed into the identity by the host (visitor-field-email)
            }

            var isAgentSide = ConversationRules.IsAgentSide(author);
            switch (op.Kind)
            {
                case "msg":
                    if (revision > _lastRevision)
                    {
                        (_lastText, _lastRole, _lastName, _lastRevision) = (op.Text ?? (op.AttachmentName is { } file ? "📎 " + file : null), author.RoleName, author.Name, revision);
                    }

                    if (author.Role == PrincipalRole.Agent)
                    {
                        _human = false; // a person answered: the handover is served
                    }

                    if (isAgentSide)
                    {
                        // Answering means having read what came before.
                        _unread = [];
                        _agentRead = Math.Max(_agentRead, revision);
                        _waitingSince = 0; // answered
                        if (revision > _visitorRead)
                        {
                            // A reply the visitor has not read yet: the email follow-up's clock starts at the first of them.
                            (_replyFrom, _replyAt) = _replyFrom > _visitorRead ? (_replyFrom, _replyAt) : (revision, timestampMs);
                            (_replyTo, _replyToAt) = revision > _replyTo ? (revision, timestampMs) : (_replyTo, _replyToAt);
                        }
                    }
                    else
                    {
                        _unread = _unread.Length >= MaxUnread ? _unread : [.. _unread, revision];
                        _waitingSince = _waitingSince == 0 ? timestampMs : _waitingSince;
                        _status = ConversationRules.StatusAfterVisitorMessage(_status);
                    }

                    break;
                case "read" when isAgentSide:
                    var upTo = op.Target;
                    _agentRead = Math.Max(_agentRead, upTo);
                    _unread = ConversationRules.UnreadAfterRead(_unread, upTo);
                    _activity = before; // reading is not activity: it must not reorder the inbox
                    break;
                case "read":
                    _visitorRead = Math.Max(_visitorRead, op.Target);
                    _activity = before;
                    if (_visitorRead >= _replyTo)
                    {
                        (_replyFrom, _replyAt) = (0, 0); // every reply read: nothing to email
                    }

                    break;
                case "contact":
                    _email = op.Value;
                    _lang = op.Lang;
                    _activity = before;
                    break;
                case "merged":
                    _merged = true;
                    _activity = before;
                    break;
                case "rate":
                    // Kept after a reopen: it is the verdict on the last close, until the next close is rated.
                    (_rating, _ratingComment) = ((int)op.Target, op.Text);
                    break;
                case "transcript":
                    (_transcript, _transcriptTo, _transcriptLang) = (revision, op.Value, op.Lang);
                    _activity = before; // asking for an email is not activity: it must not reorder the inbox
                    break;
                case "status":
                    _status = op.Value!;
                    _human = _status != "closed" && _human;
                    break;
                case "assign":
                    _assignee = string.IsNullOrEmpty(op.Value) ? null : op.Value;
                    _human = _assignee is null && _human; // someone (an agent, or a bot again) has it now
                    break;
                case "handover":
                    // From the bot to people: it no longer holds the conversation, which waits for a person (docs/bots.md).
                    _assignee = ConversationRules.IsBot(_assignee) ? null : _assignee;
                    _human = _assignee is null;
                    break;
                case "edit" when op.Target == _lastRevision:
                    _lastText = op.Text;
                    break;
                case "recall" when op.Target == _lastRevision:
                    _lastText = null;
                    break;
            }
        }

        public readonly ConversationSummary ToSummary(ConversationSummary current) => current with
        {
            Activity = _activity,
            VisitorId = _visitorId,
            VisitorName = _visitorName,
            VisitorGen = _visitorGen,
            Fields = _fields,
            LastText = _lastText,
            LastRole = _lastRole,
            LastName = _lastName,
            LastRevision = _lastRevision,
            UnreadRevisions = _unread,
            AgentRead = _agentRead,
            VisitorRead = _visitorRead,
            Status = _status,
            Assignee = _assignee,
            Email = _email,
            ReplyFrom = _replyFrom,
            ReplyAt = _replyAt,
            ReplyTo = _replyTo,
            ReplyToAt = _replyToAt,
            Lang = _lang,
            Rating = _rating,
            RatingComment = _ratingComment,
            Transcript = _transcript,
            TranscriptTo = _transcriptTo,
            TranscriptLang = _transcriptLang,
            WaitingSince = _waitingSince,
            Merged = _merged,
            Human = _human,
        };
    }
}
