namespace KefuSync.Integration.Tests.Docs;

/// <summary>docs/writing-a-store.md shows the third-party store sample verbatim, so the code a store author copies is the code that passes the specification.</summary>
public sealed class WritingAStoreDocsTests
{
    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KefuSync.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return directory!.FullName;
    }

    [Theory]
    [InlineData("TinyOpStore.cs")]
    [InlineData("TinyOpStoreTests.cs")]
    public void TheDoc_ShowsTheSampleStoreFile_Verbatim(string file)
    {
        var root = RepoRoot();
        var doc = File.ReadAllText(Path.Combine(root, "docs", "writing-a-store.md")).ReplaceLineEndings("\n");
        var code = File.ReadAllText(Path.Combine(root, "samples", "ThirdPartyStore", file)).ReplaceLineEndings("\n").TrimEnd('\n');
        Assert.True(doc.Contains("```csharp\n" + code + "\n```", StringComparison.Ordinal), $"docs/writing-a-store.md does not show samples/ThirdPartyStore/{file} as it is; copy the file into its code block.");
    }

    [Fact]
    public void TheSampleStore_ReferencesOnlyThePublicPackages()
    {
        // The proof a third party can write a store rests on this: no InternalsVisibleTo names the sample.
        var project = File.ReadAllText(Path.Combine(RepoRoot(), "samples", "ThirdPartyStore", "ThirdPartyStore.csproj"));
        Assert.DoesNotContain("KefuSync.Redis", project, StringComparison.Ordinal);
        Assert.DoesNotContain("KefuSync.EntityFrameworkCore", project, StringComparison.Ordinal);
        foreach (var assembly in new[] { typeof(KefuSyncOptions).Assembly, typeof(KefuSync.Testing.OpStoreSpecification).Assembly })
        {
            var grants = assembly.GetCustomAttributes(typeof(System.Runtime.CompilerServices.InternalsVisibleToAttribute), false)
                .Cast<System.Runtime.CompilerServices.InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
            Assert.DoesNotContain("ThirdPartyStore", grants);
            Assert.DoesNotContain("KefuSync.Redis", grants);
            Assert.DoesNotContain("KefuSync.EntityFrameworkCore", grants);
        }
    }
}
