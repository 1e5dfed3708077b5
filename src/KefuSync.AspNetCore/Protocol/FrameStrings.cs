using System.Text.Json;

namespace KefuSync.Protocol;

/// <summary>
/// One connection's memory of the client id and the channel its last frames named. A tab sends every frame with the
/// same <c>c</c>, and a chat's frames name the same few channels, so <see cref="FrameParser"/> hands back the string it
/// read last time when the bytes are equal, and <see cref="TryChannel"/> the channel it parsed from it: no strings and
/// no key substring per message. Safe when a fallback session's requests parse at once: each member is one reference,
/// and a value is only reused after its text was compared, so a race costs a miss, never a wrong value.
/// </summary>
internal sealed class FrameStrings
{
    private string? _client;
    private string? _channel;
    private Parsed? _parsed;

    /// <summary>The client id at the reader, the remembered string when the text is equal; not a string: the parser's error.</summary>
    public string Client(ref Utf8JsonReader reader) => Reuse(ref reader, ref _client, "c");

    /// <summary>The same for the channel.</summary>
    public string Channel(ref Utf8JsonReader reader) => Reuse(ref reader, ref _channel, "ch");

    /// <summary><see cref="ChannelName.TryParse"/>, answered from memory when <paramref name="value"/> is the string parsed last.</summary>
    public bool TryChannel(string value, out ChannelName name)
    {
        if (Volatile.Read(ref _parsed) is { } last && ReferenceEquals(last.Name.Value, value))
        {
            name = last.Name;
            return true;
        }

        if (!ChannelName.TryParse(value, out name))
        {
            return false;
        }

        Volatile.Write(ref _parsed, new Parsed(name));
        return true;
    }

    private static string Reuse(ref Utf8JsonReader reader, ref string? slot, string member)
    {
        if (reader.TokenType == JsonTokenType.String && Volatile.Read(ref slot) is { } last && reader.ValueTextEquals(last))
        {
            return last;
        }

        var value = FrameParser.RequireString(ref reader, member);
        Volatile.Write(ref slot, value);
        return value;
    }

    /// <summary>A parsed name behind one reference, so a reader never sees half of a struct another thread writes.</summary>
    private sealed record Parsed(ChannelName Name);
}
