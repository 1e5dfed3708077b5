using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using KefuSync.Protocol;

namespace KefuSync.Integration.Tests.Docs;

/// <summary>
/// The error-code table (docs/protocol.md §6) and the close-code table (§6.1) equal the server's own tables
/// (<see cref="ErrorCodes.All"/>, <see cref="CloseCodes"/>) exactly: the same codes in the same order, the same retry
/// flags, the same effect on the connection. Independent clients are written against the document, so a code, flag or
/// close the server changes without the document (or the reverse) fails here.
/// </summary>
public sealed partial class ProtocolDocsTests
{
    private static string Protocol()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "KefuSync.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return File.ReadAllText(Path.Combine(directory!.FullName, "docs", "protocol.md")).ReplaceLineEndings("\n");
    }

    /// <summary>The body rows of the first markdown table after <paramref name="heading"/>, split into trimmed cells.</summary>
    private static List<string[]> TableAfter(string markdown, string heading)
    {
        var lines = markdown.Split('\n');
        var at = Array.FindIndex(lines, l => l.TrimEnd() == heading);
        Assert.True(at >= 0, $"docs/protocol.md has no heading '{heading}'.");
        var rows = new List<string[]>();
        var i = at + 1;
        while (i < lines.Length && !lines[i].StartsWith('|'))
        {
            Assert.False(lines[i].StartsWith('#'), $"No table under '{heading}'.");
            i++;
        }

        for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++) // skip the header row and the |---| row
        {
            rows.Add([.. lines[i].Trim().Trim('|').Split('|').Select(c => c.Trim())]);
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private static string Unquote(string cell) => cell.Trim('`');

    /// <summary>"closed 4400" always closes; "stays open ... 4403 ..." closes only in the case it names; "stays open" never.</summary>
    private static (int ClosesWith, int MayCloseWith) Connection(string cell)
    {
        var code = FourDigits().Match(cell);
        if (cell.StartsWith("closed ", StringComparison.Ordinal))
        {
            Assert.True(code.Success, $"'{cell}' says closed but names no close code.");
            return (int.Parse(code.Value, System.Globalization.CultureInfo.InvariantCulture), 0);
        }

        Assert.True(cell.StartsWith("stays open", StringComparison.Ordinal), $"The connection column reads '{cell}'; expected 'stays open…' or 'closed NNNN…'.");
        return (0, code.Success ? int.Parse(code.Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    private static Dictionary<string, int> CloseCodeConstants() =>
        typeof(CloseCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    [Fact]
    public void ErrorCodeTable_EqualsTheServersTable_CodesOrderRetryAndConnection()
    {
        var rows = TableAfter(Protocol(), "## 6. Errors");
        var documented = rows.Select(r =>
        {
            Assert.True(r.Length == 4, $"Row '{string.Join(" | ", r)}' should have 4 cells: code, when, retry, connection.");
            Assert.True(r[2] is "yes" or "no", $"The retry cell of {r[0]} reads '{r[2]}'; expected yes or no.");
            var (closes, mayClose) = Connection(r[3]);
            return new ErrorCodeRule(Unquote(r[0]), r[2] == "yes", closes, mayClose);
        }).ToList();

        Assert.Equal(documented, ErrorCodes.All);
    }

    [Fact]
    public void ServersErrorTable_CoversEveryErrorCodeConstant_AndWritesItsRetryFlag()
    {
        var constants = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);
        Assert.Equal(constants, ErrorCodes.All.Select(r => r.Code).Order(StringComparer.Ordinal));

        foreach (var rule in ErrorCodes.All)
        {
            // Every error frame the server writes takes its flag from the table, so a call site cannot disagree with it.
            var frame = JsonDocument.Parse(FrameWriter.Error(rule.Code, "m")).RootElement;
            Assert.Equal(rule.Code, frame.GetProperty("code").GetString());
            Assert.Equal(rule.Retry, frame.GetProperty("retry").GetBoolean());
        }

        var closeCodes = CloseCodeConstants().Values.ToHashSet();
        foreach (var rule in ErrorCodes.All.Where(r => r.ClosesWith != 0 || r.MayCloseWith != 0))
        {
            Assert.Contains(rule.ClosesWith != 0 ? rule.ClosesWith : rule.MayCloseWith, closeCodes);
        }
    }

    [Fact]
    public void CloseCodeTable_EqualsTheServersCloseCodes()
    {
        var rows = TableAfter(Protocol(), "### 6.1 Close codes");
        var documented = rows.Select(r =>
        {
            Assert.True(int.TryParse(r[0], System.Globalization.CultureInfo.InvariantCulture, out var code), $"'{r[0]}' in §6.1 is not a close code.");
            Assert.False(string.IsNullOrWhiteSpace(r[1]), $"Close code {code} has no meaning in §6.1.");
            return code;
        }).ToList();

        Assert.Equal(documented, CloseCodeConstants().Values.Order().ToList());
        Assert.Equal(documented.Order(), documented); // listed in ascending order, as the server declares them
    }

    [GeneratedRegex(@"\b[14]\d{3}\b")]
    private static partial Regex FourDigits();
}
