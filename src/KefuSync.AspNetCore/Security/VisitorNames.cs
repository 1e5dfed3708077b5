using System.Security.Cryptography;
using System.Text;

namespace KefuSync.Security;

/// <summary>
/// The name the server gives a visitor nobody named: "Visitor " and a short stable tag of the id, so agents can tell
/// anonymous visitors apart. Consoles localise it from the tag alone (docs/protocol.md §4.3), so the English form here
/// is what older clients, the REST API and emails show.
/// </summary>
internal static class VisitorNames
{
    /// <summary>Four lowercase hex digits from the id's SHA-256: stable for one visitor, the same on every node.</summary>
    public static string Tag(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)).AsSpan(0, 2));

    public static string Default(string id) => "Visitor " + Tag(id);
}
