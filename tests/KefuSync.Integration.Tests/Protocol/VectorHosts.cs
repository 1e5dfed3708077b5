using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>
/// Real Kestrel hosts for the protocol vectors: one per distinct <c>server</c> member (the options a case needs), shared
/// by the cases that ask for the same options. Cases stay independent through fresh connections, fresh anonymous
/// visitors and their own <c>$key</c>.
/// </summary>
public sealed class VectorHosts : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, KefuTestHost> _hosts = new(StringComparer.Ordinal);

    internal async Task<KefuTestHost> GetAsync(JsonElement? server)
    {
        var key = server?.GetRawText() ?? "";
        await _gate.WaitAsync();
        try
        {
            if (!_hosts.TryGetValue(key, out var host))
            {
                var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
                if (server is { } options)
                {
                    Flatten(options, "", settings);
                }

                var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
                host = await KefuTestHost.StartAsync(o => configuration.Bind(o), kestrel: true);
                _hosts[key] = host;
            }

            return host;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.Values)
        {
            await host.DisposeAsync();
        }

        _gate.Dispose();
    }

    private static void Flatten(JsonElement element, string prefix, Dictionary<string, string?> into)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                Flatten(member.Value, prefix.Length == 0 ? member.Name : prefix + ":" + member.Name, into);
            }
        }
        else
        {
            into[prefix] = element.ValueKind == JsonValueKind.String ? element.GetString() : element.GetRawText();
        }
    }
}
