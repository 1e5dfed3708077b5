using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>One case of <c>tests/vectors/protocol.json</c>, read as tests/vectors/README.md describes it.</summary>
internal sealed class ProtocolVector
{
    private static readonly Lazy<JsonDocument> File = new(() =>
        JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "vectors", "protocol.json"))));

    private ProtocolVector(JsonElement json) => Json = json;

    public static JsonElement Root => File.Value.RootElement;

    public static IEnumerable<ProtocolVector> All => Root.GetProperty("cases").EnumerateArray().Select(c => new ProtocolVector(c));

    public JsonElement Json { get; }

    public string Name => Json.GetProperty("name").GetString()!;

    public string Frame => Json.GetProperty("frame").GetString()!;

    public string Checks => Json.GetProperty("checks").GetString()!;

    public string? Issue => Json.TryGetProperty("issue", out var v) ? v.GetString() : null;

    /// <summary><c>visitor</c> (default), <c>agent</c>, or <c>none</c> (no hello is sent before the case's frames).</summary>
    public string As => Json.TryGetProperty("as", out var v) ? v.GetString()! : "visitor";

    public JsonElement? Server => Json.TryGetProperty("server", out var v) ? v : null;

    public IReadOnlyList<string> Transports => Json.TryGetProperty("transports", out var v) ? [.. v.EnumerateArray().Select(t => t.GetString()!)] : ["ws", "fallback"];

    public IEnumerable<JsonElement> Setup => Json.TryGetProperty("setup", out var v) ? v.EnumerateArray() : [];

    public IEnumerable<JsonElement> Send => Json.GetProperty("send").EnumerateArray();

    public IReadOnlySet<string> Ignore => Json.TryGetProperty("ignore", out var v) ? v.EnumerateArray().Select(t => t.GetString()!).ToHashSet() : [];

    public JsonElement Expect(string transport) => Override(transport, "expect") ?? Json.GetProperty("expect");

    /// <summary>The expected close: a WebSocket close code, or <c>true</c> (closed, code not checked); null when the connection stays open.</summary>
    public JsonElement? Close(string transport)
    {
        if (transport == "fallback" && Json.TryGetProperty("fallback", out var fallback) && fallback.TryGetProperty("close", out var overridden))
        {
            return overridden.ValueKind == JsonValueKind.Null ? null : overridden;
        }

        return Json.TryGetProperty("close", out var close) && close.ValueKind != JsonValueKind.Null ? close : null;
    }

    /// <summary>The HTTP status the fallback answers the request carrying the case's frames with, when the case says so.</summary>
    public int? Http(string transport) => Override(transport, "http") is { } http ? http.GetInt32() : null;

    /// <summary>Replaces the placeholders of a frame or pattern in its raw JSON text.</summary>
    public static string Substitute(string raw, IReadOnlyDictionary<string, string> values, int? index = null)
    {
        var text = raw;
        if (index is { } i)
        {
            var number = i.ToString(CultureInfo.InvariantCulture);
            text = text.Replace("\"$i\"", number, StringComparison.Ordinal).Replace("$i", number, StringComparison.Ordinal);
        }

        foreach (var (name, value) in values)
        {
            text = text.Replace(name, value, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The bytes of one element of <c>send</c>: a JSON value, a raw text (a JSON string), or <c>{"$hex": …}</c>.</summary>
    public static byte[] Bytes(JsonElement element, IReadOnlyDictionary<string, string> values, int? index = null)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$hex", out var hex))
        {
            return Convert.FromHexString(hex.GetString()!);
        }

        var raw = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        return Encoding.UTF8.GetBytes(Substitute(raw, values, index));
    }

    /// <summary>A pattern with its placeholders replaced.</summary>
    public static JsonElement Pattern(JsonElement element, IReadOnlyDictionary<string, string> values, int? index = null)
    {
        using var json = JsonDocument.Parse(Substitute(element.GetRawText(), values, index));
        return json.RootElement.Clone();
    }

    public override string ToString() => Name;

    private JsonElement? Override(string transport, string member)
        => transport == "fallback" && Json.TryGetProperty("fallback", out var fallback) && fallback.TryGetProperty(member, out var value) ? value : null;
}
