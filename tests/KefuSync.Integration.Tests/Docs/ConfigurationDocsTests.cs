using System.Reflection;
using KefuSync.EntityFrameworkCore;
using KefuSync.Redis;

namespace KefuSync.Integration.Tests.Docs;

/// <summary>docs/configuration.md documents every public option, so the docs cannot silently fall behind the code.</summary>
public sealed class ConfigurationDocsTests
{
    private static string Docs()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KefuSync.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return File.ReadAllText(Path.Combine(directory!.FullName, "docs", "configuration.md"));
    }

    private static readonly string[] Types =
    [
        typeof(KefuSyncOptions).FullName!,
        typeof(KefuPresenceOptions).FullName!,
        typeof(KefuLimitsOptions).FullName!,
        typeof(KefuIdentityOptions).FullName!,
        typeof(KefuWidgetOptions).FullName!,
        typeof(KefuConversationOptions).FullName!,
        typeof(KefuRetentionOptions).FullName!,
        typeof(KefuAttachmentOptions).FullName!,
        typeof(KefuBusinessHoursOptions).FullName!,
        typeof(KefuEmailOptions).FullName!,
        typeof(KefuSmtpOptions).FullName!,
        typeof(KefuWebhookDeliveryOptions).FullName!,
        typeof(KefuWebhookOptions).FullName!,
        typeof(KefuApiOptions).FullName!,
        typeof(KefuApiKey).FullName!,
        typeof(KefuBotOptions).FullName!,
        typeof(KefuSyncRedisOptions).AssemblyQualifiedName!,
        typeof(KefuSyncEntityFrameworkOptions).AssemblyQualifiedName!,
    ];

    public static TheoryData<string> OptionTypes() => new(Types);

    [Theory]
    [MemberData(nameof(OptionTypes))]
    public void EveryPublicOption_IsDocumented(string typeName)
    {
        var type = Type.GetType(typeName) ?? typeof(KefuSyncOptions).Assembly.GetType(typeName)!;
        var docs = Docs();
        var groups = new[] { typeof(KefuPresenceOptions), typeof(KefuLimitsOptions), typeof(KefuIdentityOptions), typeof(KefuWidgetOptions), typeof(KefuConversationOptions), typeof(KefuRetentionOptions), typeof(KefuAttachmentOptions), typeof(KefuBusinessHoursOptions), typeof(KefuEmailOptions), typeof(KefuWebhookDeliveryOptions), typeof(KefuApiOptions) };
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (groups.Contains(property.PropertyType))
            {
                Assert.Contains($"`KefuSync:{property.Name}`", docs);
                continue;
            }

            Assert.True(docs.Contains($"| `{property.Name}` |", StringComparison.Ordinal), $"{type.Name}.{property.Name} is not documented in docs/configuration.md");
        }
    }

    [Fact]
    public void EveryOptionGroup_HasAPublicOptionsType()
    {
        // Guards the test above: if a new options group appears, it must be added to OptionTypes.
        var optionTypes = typeof(KefuSyncOptions).Assembly.GetExportedTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal)).Select(t => t.FullName!).ToHashSet();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Types)
        {
            covered.Add(name.Split(',')[0]);
        }

        Assert.Subset(covered, optionTypes);
    }
}
