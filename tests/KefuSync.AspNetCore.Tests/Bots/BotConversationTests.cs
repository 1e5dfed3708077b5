using KefuSync.Bots;

namespace KefuSync.AspNetCore.Tests.Bots;

public sealed class BotConversationTests
{
    private static readonly string[] Keywords = ["human", "人工"];
    private static readonly DateTimeOffset T = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static BotOp Op(long rev, string kind, string role, string author, string? text = null, string? to = null)
        => new(rev, "id-" + rev, author, T.AddSeconds(rev), kind, role, role == "visitor" ? "Ada" : author, text, to, null, false);

    [Fact]
    public void AFreshConversation_IsTaken_AtTheVisitorsFirstMessage_ThenEachMessageIsATurn()
    {
        var c = new BotConversation("bot:assistant", 20);
        Assert.Equal(BotStep.Take, c.Apply(Op(1, "msg", "visitor", "a_1", "hi"), takesNew: true, Keywords));
        Assert.Equal(BotHolding.Bot, c.Holding);
        Assert.Equal(BotStep.None, c.Apply(Op(2, "assign", "bot", "bot:assistant", to: "bot:assistant"), true, Keywords));
        Assert.Equal(BotStep.None, c.Apply(Op(3, "msg", "bot", "bot:assistant", "Hello!"), true, Keywords));
        Assert.Equal(BotStep.Turn, c.Apply(Op(4, "msg", "visitor", "a_1", "price?"), true, Keywords));
        Assert.Equal(["hi", "Hello!", "price?"], c.Recent.Select(m => m.Text));
        Assert.Equal("a_1", c.VisitorId);
    }

    [Fact]
    public void WithoutTakingNew_OnlyAnAssignmentToTheBot_GivesItTheConversation()
    {
        var c = new BotConversation("bot:assistant", 20);
        Assert.Equal(BotStep.None, c.Apply(Op(1, "msg", "visitor", "a_1", "hi"), takesNew: false, Keywords));
        Assert.Equal(BotHolding.Fresh, c.Holding);
        c.Apply(Op(2, "assign", "agent", "agent:alice", to: "bot:assistant"), false, Keywords);
        Assert.Equal(BotStep.Turn, c.Apply(Op(3, "msg", "visitor", "a_1", "and?"), false, Keywords));
    }

    [Theory]
    [InlineData("human")]
    [InlineData("  Human! ")]
    [InlineData("人工")]
    [InlineData("人工。")]
    public void AHumanKeyword_WhileTheBotHoldsIt_HandsOver_AndAtTheStartIsNotTaken(string text)
    {
        var held = new BotConversation("bot:assistant", 20);
        held.Apply(Op(1, "msg", "visitor", "a_1", "hi"), true, Keywords);
        Assert.Equal(BotStep.HumanAsked, held.Apply(Op(2, "msg", "visitor", "a_1", text), true, Keywords));
        Assert.Equal(BotHolding.People, held.Holding);

        var fresh = new BotConversation("bot:assistant", 20);
        Assert.Equal(BotStep.None, fresh.Apply(Op(1, "msg", "visitor", "a_1", text), true, Keywords));
        Assert.Equal(BotHolding.People, fresh.Holding);
    }

    [Fact]
    public void AKeyword_InsideASentence_IsAnOrdinaryMessage()
    {
        var c = new BotConversation("bot:assistant", 20);
        c.Apply(Op(1, "msg", "visitor", "a_1", "hi"), true, Keywords);
        Assert.Equal(BotStep.Turn, c.Apply(Op(2, "msg", "visitor", "a_1", "is a human there"), true, Keywords));
    }

    [Fact]
    public void AnAgentWriting_WhileTheBotHoldsIt_TakesItOver_AndTheBotStaysOut()
    {
        var c = new BotConversation("bot:assistant", 20);
        c.Apply(Op(1, "msg", "visitor", "a_1", "hi"), true, Keywords);
        Assert.Equal(BotStep.AgentWrote, c.Apply(Op(2, "msg", "agent", "agent:alice", "Alice here"), true, Keywords));
        Assert.Equal(BotStep.None, c.Apply(Op(3, "msg", "visitor", "a_1", "thanks"), true, Keywords));
        Assert.Equal(BotHolding.People, c.Holding);
    }

    [Theory]
    [InlineData("handover", null)]
    [InlineData("assign", "agent:alice")]
    [InlineData("assign", null)]
    public void AHandover_OrAnotherAssignment_EndsTheHold_ForGood(string kind, string? to)
    {
        var c = new BotConversation("bot:assistant", 20);
        c.Apply(Op(1, "msg", "visitor", "a_1", "hi"), true, Keywords);
        c.Apply(Op(2, kind, "visitor", "a_1", to: to), true, Keywords);
        Assert.Equal(BotHolding.People, c.Holding);
        Assert.Equal(BotStep.None, c.Apply(Op(3, "msg", "visitor", "a_1", "hello?"), true, Keywords));
    }

    [Fact]
    public void AnAgentFirst_MeansPeopleHaveIt()
    {
        var c = new BotConversation("bot:assistant", 20);
        c.Apply(Op(1, "msg", "agent", "agent:alice", "Can I help?"), true, Keywords);
        Assert.Equal(BotStep.None, c.Apply(Op(2, "msg", "visitor", "a_1", "yes"), true, Keywords));
    }

    [Fact]
    public void TheHistory_KeepsTheNewestMessages_AndARepeatedRevisionOnce()
    {
        var c = new BotConversation("bot:assistant", 3);
        for (var i = 1; i <= 5; i++)
        {
            c.Apply(Op(i, "msg", "visitor", "a_1", "m" + i), false, Keywords);
        }

        c.Remember(Op(5, "msg", "visitor", "a_1", "m5"));
        Assert.Equal(["m3", "m4", "m5"], c.Recent.Select(m => m.Text));
    }

    [Theory]
    [InlineData("我的订单在哪里", "zh-CN")]
    [InlineData("where is my order", "en")]
    public void TheLanguage_IsGuessedFromTheText_WithoutAContactOp(string text, string lang)
        => Assert.Equal(lang, new BotConversation("bot:a", 5).LanguageFor(text));
}
