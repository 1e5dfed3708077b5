using System.IO.Compression;
using System.Text.Json;
using KefuSync.Ot;

namespace KefuSync.Benchmarks;

/// <summary>
/// A real editing trace (tests/data/editing-traces, CC BY 4.0, Joseph Gentle's editing-traces): every patch
/// <c>[pos, deleted, inserted]</c> becomes one ot.js operation over the whole document, as a client would submit it.
/// </summary>
internal sealed class EditingTrace
{
    public static readonly string[] Names = ["automerge-paper", "seph-blog1", "rustcode", "sveltecomponent", "friendsforever_flat", "clownschool_flat"];

    private EditingTrace(string name, string start, string end, TextOperation[] ops, byte[][] json)
    {
        Name = name;
        StartContent = start;
        EndContent = end;
        Operations = ops;
        Json = json;
    }

    public string Name { get; }

    public string StartContent { get; }

    public string EndContent { get; }

    public TextOperation[] Operations { get; }

    /// <summary>The operations in their wire form (what a <c>submit</c> frame carries in <c>op</c>).</summary>
    public byte[][] Json { get; }

    public static string Locate(string name)
    {
        foreach (var dir in new[] { Path.Combine(AppContext.BaseDirectory, "traces"), Path.Combine(Directory.GetCurrentDirectory(), "tests", "data", "editing-traces", "sequential") })
        {
            var path = Path.Combine(dir, name + ".json.gz");
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"editing trace '{name}' not found next to the benchmark or under tests/data/editing-traces/sequential");
    }

    public static EditingTrace Load(string name)
    {
        using var file = File.OpenRead(Locate(name));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var json = JsonDocument.Parse(gzip);
        var root = json.RootElement;
        var start = root.GetProperty("startContent").GetString() ?? "";
        var end = root.GetProperty("endContent").GetString() ?? "";
        var ops = new List<TextOperation>();
        var length = start.Length;
        foreach (var txn in root.GetProperty("txns").EnumerateArray())
        {
            foreach (var patch in txn.GetProperty("patches").EnumerateArray())
            {
                var pos = patch[0].GetInt32();
                var deleted = patch[1].GetInt32();
                var inserted = patch.GetArrayLength() > 2 ? patch[2].GetString() ?? "" : "";
                var op = new TextOperation().Retain(pos).Delete(deleted).Insert(inserted).Retain(length - pos - deleted);
                ops.Add(op);
                length += inserted.Length - deleted;
            }
        }

        var array = ops.ToArray();
        return new EditingTrace(name, start, end, array, [.. array.Select(o => o.ToUtf8Json())]);
    }
}
