using System.Text;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Ot;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.Transport;

/// <summary>
/// Throws random and mutated frames at the endpoint. The server must answer every frame it can read (error or
/// otherwise), never crash or close for input it should survive, and the logs must stay valid: consecutive revisions,
/// unique client op ids, and text documents that replay.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Seeds =
    [
        "{\"t\":\"sub\",\"c\":\"f\",\"ch\":\"CONV\",\"rev\":0}",
        "{\"t\":\"submit\",\"c\":\"f\",\"ch\":\"CONV\",\"id\":\"f-ID\",\"rev\":0,\"op\":{\"k\":\"msg\",\"text\":\"hi 你好\"}}",
        "{\"t\":\"submit\",\"c\":\"f\",\"ch\":\"note:fz\",\"id\":\"n-ID\",\"rev\":REV,\"op\":[POS,\"ab\"]}",
        "{\"t\":\"submit\",\"c\":\"f\",\"ch\":\"note:fz\",\"id\":\"d-ID\",\"rev\":REV,\"op\":[-1]}",
        "{\"t\":\"presence\",\"c\":\"f\",\"ch\":\"CONV\",\"s\":{\"typing\":true}}",
        "{\"t\":\"history\",\"ch\":\"CONV\",\"rev\":5,\"n\":3,\"q\":\"h\"}",
        "{\"t\":\"unsub\",\"c\":\"f\",\"ch\":\"CONV\"}",
        "{\"t\":\"bye\",\"c\":\"f\"}",
        "{\"t\":\"ping\",\"q\":\"x\"}",
    ];

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public async Task RandomAndMutatedFrames_NeverCrashTheServer_AndTheLogStaysValid(int seed)
    {
        // Rate limiting is tested elsewhere; here a starved machine must not turn a burst of fuzz into rate_limited errors.
        await using var host = await KefuTestHost.StartAsync(o => { o.Limits.FramesPerSecond = 100_000; o.Limits.FrameBurst = 100_000; }, kestrel: false);
        var random = new Random(seed);
        await using var agent = await host.ConnectAsync(agent: "fuzzer");
        await agent.HelloAsync(agent: true);
        await using var visitor = await host.ConnectAsync();
        var conv = "conv:" + (await visitor.HelloAsync()).GetProperty("conv").GetString();

        for (var i = 0; i < 400; i++)
        {
            var target = random.Next(2) == 0 ? agent : visitor;
            var frame = Seeds[random.Next(Seeds.Length)]
                .Replace("CONV", conv, StringComparison.Ordinal)
                .Replace("ID", random.Next(50).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("REV", random.Next(-1, 12).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("POS", random.Next(0, 8).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            await target.SendAsync(Mutate(random, frame));
        }

        // Both connections still answer.
        foreach (var client in new[] { agent, visitor })
        {
            await client.SendAsync("{\"t\":\"ping\",\"q\":\"final\"}");
            await client.WaitForAsync(f => KefuTestClient.Type(f) == "pong" && f.TryGetProperty("q", out var q) && q.GetString() == "final", TimeSpan.FromSeconds(20));
        }

        foreach (var channel in new[] { conv, "note:fz" })
        {
            var log = await host.Store.ReadAsync(channel, 0, 10_000);
            Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(r => r.Revision));
            Assert.Equal(log.Count, log.Select(r => r.ClientOpId).Distinct().Count());
            if (channel.StartsWith("note:", StringComparison.Ordinal))
            {
                var document = log.Aggregate("", (doc, r) => TextOperation.Parse(r.Payload.Span).Apply(doc));
                var service = (IKefuSyncService)host.Services.GetService(typeof(IKefuSyncService))!;
                Assert.Equal(document, (await service.GetDocumentAsync(channel)).Text);
            }
        }
    }

    private static string Mutate(Random random, string frame)
    {
        var bytes = new StringBuilder(frame);
        switch (random.Next(6))
        {
            case 0:
                return frame; // well-formed
            case 1:
                bytes.Remove(random.Next(bytes.Length), 1); // drop a character
                break;
            case 2:
                bytes.Insert(random.Next(bytes.Length), "\"{}[]:,\\0-9e"[random.Next(12)]); // inject a structural character
                break;
            case 3:
                return frame[..random.Next(frame.Length)]; // truncate
            case 4:
                return new string(Enumerable.Range(0, random.Next(1, 60)).Select(_ => (char)random.Next(1, 0x3000)).ToArray()); // noise
            default:
                bytes.Replace("0", "-99999999999").Replace("\"f\"", "\"" + new string('x', 80) + "\""); // out-of-range values
                break;
        }

        return bytes.ToString();
    }
}
