using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace KefuSync.Sync;

/// <summary>This process's node id on the backplane (random per start, so a restarted node is a new node).</summary>
internal sealed class NodeIdentity
{
    public string Id { get; } = "n_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(9));
}
