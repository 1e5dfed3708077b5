using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace KefuSync.Transport;

/// <summary>Unguessable ids for connections and fallback sessions (128 random bits): a session id is a bearer secret.</summary>
internal static class ConnectionIds
{
    public static string New() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
}
