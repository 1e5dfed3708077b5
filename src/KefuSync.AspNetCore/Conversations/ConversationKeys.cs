using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace KefuSync.Conversations;

/// <summary>
/// Maps a visitor id to their conversation key. The mapping is a pure function of the signed visitor id, so every tab
/// and device of the same visitor finds the same conversation without a lookup, two tabs that start a chat at the same
/// moment cannot create two, and no visitor can name another visitor's conversation without their signed id.
/// </summary>
internal static class ConversationKeys
{
    public static string ForVisitor(string visitorId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("kefu-conversation:" + visitorId), hash);
        return WebEncoders.Base64UrlEncode(hash[..16]);
    }
}
