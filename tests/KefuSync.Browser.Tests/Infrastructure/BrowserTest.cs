using System.Text.Json;
using Microsoft.Playwright;

namespace KefuSync.Browser.Tests.Infrastructure;

/// <summary>
/// Base of the visitor widget tests: the shared browser, a site of the test's own (<see cref="StartSiteAsync"/>), and
/// contexts and sites disposed after each test. Reads the store to assert what was committed, exactly once.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserFixture fixture) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];
    private SiteHost? _site;

    protected BrowserFixture Fixture { get; } = fixture;

    /// <summary>The site started by <see cref="InitializeAsync"/> (default options) or <see cref="StartSiteAsync"/>.</summary>
    protected SiteHost Site => _site ?? throw new InvalidOperationException("No site started.");

    public virtual async Task InitializeAsync() => _site = await SiteHost.StartAsync(SiteOptions());

    /// <summary>The options of this test class's site.</summary>
    protected virtual SiteHostOptions SiteOptions() => new();

    public virtual async Task DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.CloseAsync();
        }

        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
    }

    protected async Task<IBrowserContext> NewContextAsync(int width = 1280, int height = 800, bool mobile = false, string locale = "en-US")
    {
        var context = await Fixture.NewContextAsync(Site.BaseUrl, width, height, mobile, locale);
        _contexts.Add(context);
        return context;
    }

    /// <summary>The chat messages committed to a conversation, in revision order, from the store.</summary>
    internal async Task<IReadOnlyList<StoredMessage>> StoredMessagesAsync(string conv)
    {
        var ops = await Site.ReadChannelAsync("conv:" + conv);
        var messages = new List<StoredMessage>();
        foreach (var op in ops)
        {
            using var json = JsonDocument.Parse(op.Payload);
            if (json.RootElement.TryGetProperty("k", out var k) && k.GetString() == "msg")
            {
                messages.Add(new StoredMessage(op.Revision, op.ClientOpId, op.Author, json.RootElement.GetProperty("text").GetString() ?? ""));
            }
        }

        return messages;
    }

    /// <summary>Waits until the store holds every one of <paramref name="texts"/>, then returns all stored messages.</summary>
    internal async Task<IReadOnlyList<StoredMessage>> WaitForStoredAsync(string conv, IEnumerable<string> texts, int timeoutMs = 30000)
    {
        var wanted = texts.ToArray();
        IReadOnlyList<StoredMessage> stored = [];
        await Eventually.TrueAsync(
            async () =>
            {
                stored = await StoredMessagesAsync(conv);
                return wanted.All(t => stored.Any(m => m.Text == t));
            },
            () => $"the store to hold [{string.Join(", ", wanted)}]; it holds [{string.Join(", ", stored.Select(m => m.Text))}]; server errors: {string.Join(" | ", Site.ServerErrors)}",
            timeoutMs);
        return stored;
    }

    /// <summary>Each of <paramref name="texts"/> is stored exactly once, and they were committed in this order.</summary>
    internal static void AssertOnceInOrder(IReadOnlyList<StoredMessage> stored, IReadOnlyList<string> texts)
    {
        foreach (var text in texts)
        {
            var count = stored.Count(m => m.Text == text);
            Assert.True(count == 1, $"'{text}' is stored {count} times: [{string.Join(", ", stored.Select(m => m.Text))}]");
        }

        var order = stored.Where(m => texts.Contains(m.Text)).Select(m => m.Text).ToArray();
        Assert.Equal(texts, order);
    }

    /// <summary>Revisions 1..n, no gap (what every client relies on).</summary>
    internal async Task AssertConsecutiveAsync(string conv)
    {
        var ops = await Site.ReadChannelAsync("conv:" + conv);
        Assert.Equal(Enumerable.Range(1, ops.Count).Select(i => (long)i), ops.Select(o => o.Revision));
    }
}

internal sealed record StoredMessage(long Revision, string ClientOpId, string Author, string Text);
