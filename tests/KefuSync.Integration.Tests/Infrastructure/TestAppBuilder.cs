using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Json;

namespace KefuSync.Integration.Tests.Infrastructure;

/// <summary>The builder of every test host of this project.</summary>
internal static class TestAppBuilder
{
    /// <summary>
    /// <c>WebApplication.CreateSlimBuilder()</c> without the JSON files of its content root. That root is this project's
    /// bin folder, which holds the sample site's appsettings.json (the sample tests reference the sample), so every test
    /// host ran on the sample's <c>KefuSync</c> section: an <c>AdminPolicy</c> set there broke six unrelated tests. A
    /// test host is configured by its test alone.
    /// </summary>
    public static WebApplicationBuilder Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        foreach (var json in builder.Configuration.Sources.OfType<JsonConfigurationSource>().ToList())
        {
            builder.Configuration.Sources.Remove(json);
        }

        return builder;
    }
}
