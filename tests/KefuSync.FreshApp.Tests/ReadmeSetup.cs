using System.Text.RegularExpressions;

namespace KefuSync.FreshApp.Tests;

/// <summary>
/// The setup lines exactly as README.md's "Setup: three lines" section gives them, parsed from the README so that the
/// documentation cannot drift from what these tests apply to a fresh app.
/// </summary>
public sealed record ReadmeSetup(string ServicesLine, string EndpointsLine, string TagHelperLine, string WidgetLine)
{
    public const string SectionTitle = "## Setup: three lines";

    public static ReadmeSetup Parse(string readme)
    {
        var start = readme.IndexOf(SectionTitle, StringComparison.Ordinal);
        if (start < 0)
        {
            throw new InvalidOperationException($"README.md has no '{SectionTitle}' section.");
        }

        var end = readme.IndexOf("\n## ", start + SectionTitle.Length, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var blocks = Regex.Matches(section, @"```(?<lang>[a-z]*)\n(?<body>.*?)```", RegexOptions.Singleline)
            .Select(m => (Lang: m.Groups["lang"].Value, Lines: m.Groups["body"].Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList()))
            .ToList();
        var csharp = blocks.Where(b => b.Lang == "csharp").SelectMany(b => b.Lines).ToList();
        var cshtml = blocks.Where(b => b.Lang == "cshtml").SelectMany(b => b.Lines).ToList();

        var services = Single(csharp, l => l.StartsWith("builder.Services.AddKefuSync(", StringComparison.Ordinal), "builder.Services.AddKefuSync(...)");
        var endpoints = Single(csharp, l => l.StartsWith("app.MapKefuSync(", StringComparison.Ordinal), "app.MapKefuSync()");
        var tagHelper = Single(cshtml, l => l.StartsWith("@addTagHelper", StringComparison.Ordinal), "@addTagHelper");
        var widget = Single(cshtml, l => l.StartsWith("<kefu-widget", StringComparison.Ordinal), "<kefu-widget />");

        // A setup line the tests would not apply means the README promises something these tests do not prove.
        var unknown = csharp.Except([services, endpoints]).Concat(cshtml.Except([tagHelper, widget])).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException("README.md's setup has lines the fresh-app tests do not know where to put: " + string.Join(" | ", unknown));
        }

        return new ReadmeSetup(services, endpoints, tagHelper, widget);
    }

    private static string Single(List<string> lines, Func<string, bool> match, string what)
    {
        var found = lines.Where(match).ToList();
        return found.Count == 1
            ? found[0]
            : throw new InvalidOperationException($"README.md's setup section should have exactly one '{what}' line, found {found.Count}.");
    }
}
