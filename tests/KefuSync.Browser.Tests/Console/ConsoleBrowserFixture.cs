using Microsoft.Playwright;

namespace KefuSync.Browser.Tests.Console;

/// <summary>One headless system Chromium for the console tests (a fresh context per agent or visitor).</summary>
public sealed class ConsoleBrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            ],
        });
        Assertions.SetDefaultExpectTimeout(15000);
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleBrowserCollection : ICollectionFixture<ConsoleBrowserFixture>
{
    public const string Name = "Console browser";
}
