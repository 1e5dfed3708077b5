using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Tests.Shared;

namespace KefuSync.Integration.Tests.RestApi;

/// <summary>
/// docs/rest-api.md §0 runs as written: every command of its curl block, through bash and the system's curl, against
/// KefuSync on real Kestrel at 127.0.0.1, each checked for what it did. A changed route or body breaks this test, so the
/// examples cannot drift from the code.
/// </summary>
public sealed class RestApiDocTests
{
    private const string Key = "doc-key-0123456789abcdefghijklmnopqrstuvw";

    /// <summary>The commands of the first <c>sh</c> block after "## 0.", continuation lines joined, comments dropped.</summary>
    private static List<string> DocumentedCommands()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KefuSync.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var doc = File.ReadAllText(Path.Combine(dir.FullName, "docs", "rest-api.md"));
        var section = doc[doc.IndexOf("## 0. Try it with curl", StringComparison.Ordinal)..];
        var start = section.IndexOf("```sh\n", StringComparison.Ordinal) + "```sh\n".Length;
        var block = section[start..section.IndexOf("\n```", start, StringComparison.Ordinal)];
        var commands = new List<string>();
        var current = new StringBuilder();
        foreach (var line in block.Split('\n'))
        {
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            current.Append(line.TrimEnd('\\').TrimEnd()).Append(' ');
            if (!line.EndsWith('\\'))
            {
                commands.Add(current.ToString().Trim());
                current.Clear();
            }
        }

        return commands;
    }

    private static async Task<JsonElement> RunAsync(string command, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        foreach (var (name, value) in env)
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, $"`{command}` exited {process.ExitCode}: {await stdout} {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }

    [Fact]
    public async Task EveryCurlExampleOfTheDocs_RunsAsWritten_AndDoesWhatItSays()
    {
        if (!File.Exists("/usr/bin/curl") && !File.Exists("/bin/curl"))
        {
            throw new InvalidOperationException("curl was not found: install it with apt-get install -y curl (test.sh does).");
        }

        var commands = DocumentedCommands();
        Assert.Equal(8, commands.Count); // every example of §0 is run: a new one needs its check here
        Assert.All(commands, c => Assert.StartsWith("curl -sS --fail-with-body ", c, StringComparison.Ordinal));

        await using var host = await KefuTestHost.StartAsync(o => o.Api.Keys.Add(new KefuApiKey { Name = "crm", Key = Key, Role = "agent", DisplayName = "CRM" }), kestrel: true);
        await using var visitor = await host.ConnectAsync();
        var conv = (await visitor.HelloAsync()).GetProperty("conv").GetString()!;
        await visitor.SendAsync(new { t = "submit", c = "v", ch = "conv:" + conv, id = "v-1", rev = 0, op = new { k = "msg", text = "Has my order shipped?" } });
        await visitor.WaitForTypeAsync("ack");
        var env = new Dictionary<string, string> { ["KEFU_URL"] = host.BaseAddress.ToString().TrimEnd('/') + "/kefu", ["KEFU_KEY"] = Key, ["KEFU_CONV"] = conv };

        // The inbox folds in the background: the first example lists the conversation once it has.
        JsonElement list = default;
        for (var i = 0; i < 100 && !(list.ValueKind == JsonValueKind.Object && list.GetProperty("items").EnumerateArray().Any(c => c.GetProperty("key").GetString() == conv)); i++)
        {
            await Task.Delay(50);
            list = await RunAsync(commands[0], env);
        }

        Assert.Contains(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("key").GetString() == conv);
        Assert.Equal(conv, (await RunAsync(commands[1], env)).GetProperty("key").GetString());
        var messages = await RunAsync(commands[2], env);
        Assert.Equal("Has my order shipped?", Assert.Single(messages.GetProperty("items").EnumerateArray()).GetProperty("op").GetProperty("text").GetString());

        var first = await RunAsync(commands[3], env);
        var again = await RunAsync(commands[4], env);
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.True(again.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("revision").GetInt64(), again.GetProperty("revision").GetInt64());
        Assert.False((await RunAsync(commands[5], env)).GetProperty("duplicate").GetBoolean());
        Assert.False((await RunAsync(commands[6], env)).GetProperty("duplicate").GetBoolean());
        Assert.StartsWith("3.", (await RunAsync(commands[7], env)).GetProperty("openapi").GetString(), StringComparison.Ordinal);

        // The log holds what the examples said: the answer once, the assignment, the close.
        var ops = (await host.Store.ReadAsync("conv:" + conv, 0, 100)).Select(o => JsonDocument.Parse(o.Payload).RootElement.Clone()).ToList();
        Assert.Single(ops, o => o.GetProperty("k").GetString() == "msg" && o.GetProperty("text").GetString() == "Thanks, your order ships today.");
        Assert.Contains(ops, o => o.GetProperty("k").GetString() == "assign" && o.GetProperty("to").GetString() == "agent:alice");
        Assert.Equal("closed", ops.Last().GetProperty("status").GetString());
    }
}
