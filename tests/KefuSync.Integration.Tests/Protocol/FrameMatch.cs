using System.Text.Json;

namespace KefuSync.Integration.Tests.Protocol;

/// <summary>
/// The vectors' frame pattern (tests/vectors/README.md): an expected object lists only the members that matter; each must
/// be present with an equal value (objects match the same way, arrays element by element with the same length), except
/// <c>"$any"</c> (present, any value) and <c>"$absent"</c> (must not be present). Numbers compare by value.
/// </summary>
internal static class FrameMatch
{
    public const string Any = "$any";
    public const string Absent = "$absent";

    public static bool Matches(JsonElement expected, JsonElement actual) => Why(expected, actual, "") is null;

    /// <summary>Null when <paramref name="actual"/> matches; otherwise where and how it differs.</summary>
    public static string? Why(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind == JsonValueKind.String && expected.GetString() == Any)
        {
            return null;
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                if (actual.ValueKind != JsonValueKind.Object)
                {
                    return $"{path}: expected an object, got {actual.GetRawText()}";
                }

                foreach (var member in expected.EnumerateObject())
                {
                    var present = actual.TryGetProperty(member.Name, out var value);
                    if (member.Value.ValueKind == JsonValueKind.String && member.Value.GetString() == Absent)
                    {
                        if (present)
                        {
                            return $"{path}.{member.Name}: expected absent, got {value.GetRawText()}";
                        }

                        continue;
                    }

                    if (!present)
                    {
                        return $"{path}.{member.Name}: missing";
                    }

                    if (Why(member.Value, value, path + "." + member.Name) is { } why)
                    {
                        return why;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (actual.ValueKind != JsonValueKind.Array || actual.GetArrayLength() != expected.GetArrayLength())
                {
                    return $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
                }

                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    if (Why(expected[i], actual[i], $"{path}[{i}]") is { } why)
                    {
                        return why;
                    }
                }

                return null;
            case JsonValueKind.Number:
                return actual.ValueKind == JsonValueKind.Number && actual.GetDecimal() == expected.GetDecimal()
                    ? null
                    : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
            default:
                return JsonElement.DeepEquals(expected, actual) ? null : $"{path}: expected {expected.GetRawText()}, got {actual.GetRawText()}";
        }
    }
}
