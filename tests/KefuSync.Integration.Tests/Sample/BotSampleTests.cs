using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Stores;
using KefuSync.Tests.Shared;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using MvcSite.Bots;

namespace KefuSync.Integration.Tests.Sample;

/// <summary>
/// The sample bot (samples/MvcSite/Bots) as a host runs it: <see cref="ChatClientBot"/> over the local, deterministic
/// <see cref="FaqChatClient"/>, behind AddBot, answering real visitor connections. No model is downloaded or run.
/// </summary>
public sealed class BotSampleTests
{
    private readonly InMemoryOpStore _store = new();

    private Task<KefuTestHost> HostAsync() => KefuTestHost.StartAsync(
        kefu: k => k.AddBot<ChatClientBot>(o => o.DisplayName = "Assistant"),
        services: s =>
        {
            s.AddSingleton<IChatClient, FaqChatClient>();
            s.AddSingleton<IOpStore>(_store);
        });

    private async Task<List<JsonElement>> OpsAsync(string key)
        => [.. (await _store.ReadAsync("conv:" + key, 0, 100)).Select(r => JsonDocument.Parse(r.Payload).RootElement.Clone())];

    private static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, "Timed out waiting until " + what);
            await Task.Delay(25);
        }
    }

    [Theory]
    [InlineData("How long does shipping take?", "Shipping is free over ¥99 and takes two to three days.")]
    [InlineData("发货要几天？", "满 99 元包邮，一般两到三天送达。")]
    public async Task TheFaqBot_AnswersAKnownQuestion_InTheVisitorsLanguage(string question, string answer)
    {
        await using var host = await HostAsync();
        await using var visitor = await host.ConnectAsync();
        var key = (await visitor.HelloAsync()).GetProperty("conv").GetString()!;
        await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + key, id = "v-1", rev = 0, op = new { k = "msg", text = question } });
        await UntilAsync(async () => (await OpsAsync(key)).Any(o => o.GetProperty("role").GetString() == "bot" && o.GetProperty("k").GetString() == "msg"), "the answer");
        var reply = (await OpsAsync(key)).Single(o => o.GetProperty("role").GetString() == "bot" && o.GetProperty("k").GetString() == "msg");
        Assert.Equal(answer, reply.GetProperty("text").GetString());
        Assert.Equal("Assistant", reply.GetProperty("name").GetString());
    }

    [Fact]
    public async Task TheFaqBot_HandsOver_WhenItIsNotSure()
    {
        await using var host = await HostAsync();
        await using var visitor = await host.ConnectAsync();
        var key = (await visitor.HelloAsync()).GetProperty("conv").GetString()!;
        await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + key, id = "v-1", rev = 0, op = new { k = "msg", text = "Can you engrave my tin?" } });
        await UntilAsync(async () => (await OpsAsync(key)).Any(o => o.GetProperty("k").GetString() == "handover"), "the handover");
        var ops = await OpsAsync(key);
        Assert.Equal("I'm not sure about that, so I'm connecting you with a colleague.", ops.Last(o => o.GetProperty("k").GetString() == "msg").GetProperty("text").GetString());
        Assert.Equal("The assistant could not answer.", ops[^1].GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("hi", true)]
    [InlineData("this", false)]
    [InlineData("你好", true)]
    public async Task TheFaqClient_MatchesWholeWords(string text, bool greeting)
    {
        using var client = new FaqChatClient();
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, text)]);
        Assert.Equal(greeting, !response.Text.StartsWith(ChatClientBot.HandoverMarker, StringComparison.Ordinal));
    }
}
