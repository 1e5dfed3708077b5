using KefuSync.Conversations;
using KefuSync.Security;

namespace KefuSync.AspNetCore.Tests.Conversations;

public sealed class ConversationFoldTests
{
    private static readonly KefuPrincipal Visitor = new("a_1", "V", PrincipalRole.Visitor, "K", new VisitorIdentity("a_1", "V", new() { ["plan"] = "pro" }, 0));
    private static readonly KefuPrincipal Agent = new("agent:alice", "Alice", PrincipalRole.Agent, null, null);

    [Fact]
    public void VisitorMessages_CountAsUnread_UntilAnAgentReadsOrAnswers()
    {
        var s = new ConversationSummary { Key = "K" };
        s = ConversationFold.Apply(s, Visitor, 1, 10, new MessageOp("msg", "a", 0));
        s = ConversationFold.Apply(s, Visitor, 2, 20, new MessageOp("msg", "b", 0));
        Assert.Equal(2, s.Unread);
        Assert.Equal("pro", s.Fields!["plan"]);
        s = ConversationFold.Apply(s, Agent, 3, 30, new MessageOp("read", null, 1));
        Assert.Equal(1, s.Unread);
        Assert.Equal(20, s.Activity); // reading does not reorder the inbox
        s = ConversationFold.Apply(s, Agent, 4, 40, new MessageOp("msg", "answer", 0));
        Assert.Equal(0, s.Unread);
        Assert.Equal("answer", s.LastText);
        Assert.Equal("agent", s.LastRole);
    }

    [Fact]
    public void AVisitorMessage_ReopensAClosedConversation()
    {
        var s = new ConversationSummary { Key = "K", Status = "closed" };
        s = ConversationFold.Apply(s, Visitor, 5, 50, new MessageOp("msg", "again", 0));
        Assert.Equal("open", s.Status);
    }

    [Fact]
    public void OutOfOrderSummaries_NeverMoveTheLastMessageBackwards()
    {
        var s = new ConversationSummary { Key = "K" };
        s = ConversationFold.Apply(s, Visitor, 7, 70, new MessageOp("msg", "newer", 0));
        s = ConversationFold.Apply(s, Visitor, 6, 60, new MessageOp("msg", "older", 0));
        Assert.Equal("newer", s.LastText);
        Assert.Equal(70, s.Activity);
    }

    [Fact]
    public void AHandover_FromTheBot_LeavesItUnassigned_AndWaitingForAPerson_UntilAnAgentAnswers()
    {
        var bot = new KefuPrincipal("bot:assistant", "Assistant", PrincipalRole.Bot, null, null);
        var s = new ConversationSummary { Key = "K" };
        s = ConversationFold.Apply(s, Visitor, 1, 10, new MessageOp("msg", "where is my order?", 0));
        s = ConversationFold.Apply(s, bot, 2, 11, new MessageOp("assign", null, 0, "bot:assistant"));
        Assert.Equal("bot:assistant", s.Assignee);
        Assert.False(s.Human);
        s = ConversationFold.Apply(s, bot, 3, 12, new MessageOp("msg", "Let me look.", 0));
        Assert.False(s.Human); // a bot answering is not a person
        s = ConversationFold.Apply(s, Visitor, 4, 20, new MessageOp("handover", null, 0));
        Assert.Null(s.Assignee);
        Assert.True(s.Human);
        s = ConversationFold.Apply(s, Agent, 5, 30, new MessageOp("msg", "Hi, Alice here.", 0));
        Assert.False(s.Human);
    }

    [Fact]
    public void AHandover_WhileAnAgentHasIt_KeepsTheAgent_AndAnAssignmentServesIt()
    {
        var s = new ConversationSummary { Key = "K", Assignee = "agent:alice" };
        s = ConversationFold.Apply(s, Visitor, 1, 10, new MessageOp("handover", null, 0));
        Assert.Equal("agent:alice", s.Assignee);
        Assert.False(s.Human);
        s = ConversationFold.Apply(new ConversationSummary { Key = "K" }, Visitor, 1, 10, new MessageOp("handover", null, 0));
        Assert.True(s.Human);
        s = ConversationFold.Apply(s, Agent, 2, 20, new MessageOp("assign", null, 0, "agent:alice"));
        Assert.False(s.Human);
    }

    /// <summary>
    /// The inbox folds a batch with <see cref="ConversationFold.ApplyAll"/>, one record copy for the batch: it must give
    /// exactly what one <see cref="ConversationFold.Apply"/> per op gives, for every kind of op in any order (random
    /// sequences, fixed seeds so a failure repeats).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ApplyAll_EqualsOneApplyPerOp(int seed)
    {
        var random = new Random(seed);
        var bot = new KefuPrincipal("bot:assistant", "Assistant", PrincipalRole.Bot, null, null);
        var signed = new KefuPrincipal("h_bob", "Bob", PrincipalRole.Visitor, "K", new VisitorIdentity("h_bob", "Bob", new() { ["email"] = "bob@example.com" }, 0));
        KefuPrincipal[] authors = [Visitor, Agent, bot, signed];
        var start = new ConversationSummary { Key = "K", Created = 5, Activity = 5 };
        for (var round = 0; round < 50; round++)
        {
            var ops = new List<InboxPendingOp>();
            var count = random.Next(1, 30);
            for (var i = 0; i < count; i++)
            {
                var revision = random.Next(1, 200);
                ops.Add(new InboxPendingOp("K", authors[random.Next(authors.Length)], revision, random.Next(0, 1000), RandomOp(random, revision)));
            }

            var oneByOne = start;
            foreach (var op in ops)
            {
                oneByOne = ConversationFold.Apply(oneByOne, op.Author, op.Revision, op.Timestamp, op.Op);
            }

            var batched = ConversationFold.ApplyAll(start, ops);
            Assert.Equal(Json(oneByOne), Json(batched));
            start = batched;
        }
    }

    private static MessageOp RandomOp(Random random, long revision) => random.Next(13) switch
    {
        0 or 1 or 2 or 3 => new MessageOp("msg", "m" + revision, 0),
        4 => new MessageOp("msg", null, 0, AttachmentName: "a.png"),
        5 => new MessageOp("read", null, random.Next(0, 200)),
        6 => new MessageOp("contact", null, 0, Value: "v@example.com", Lang: "en"),
        7 => new MessageOp("rate", "ok", random.Next(1, 6)),
        8 => new MessageOp("transcript", null, 0, Value: "t@example.com", Lang: "zh-CN"),
        9 => new MessageOp("status", null, 0, Value: random.Next(2) == 0 ? "closed" : "open"),
        10 => new MessageOp("assign", null, 0, Value: random.Next(3) switch { 0 => "", 1 => "bot:assistant", _ => "agent:alice" }),
        11 => new MessageOp(random.Next(2) == 0 ? "handover" : "merged", null, 0),
        _ => new MessageOp(random.Next(2) == 0 ? "edit" : "recall", "e" + revision, random.Next(0, 200)),
    };

    private static string Json(ConversationSummary summary) => System.Text.Json.JsonSerializer.Serialize(summary, InboxJsonContext.Default.ConversationSummary);
}
