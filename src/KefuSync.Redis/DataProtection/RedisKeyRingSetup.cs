using KefuSync.Redis.Connection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KefuSync.Redis.DataProtection;

/// <summary>
/// Points ASP.NET Core Data Protection's key repository at KefuSync's Redis: the same connection (or the host's factory
/// multiplexer) and the same prefix, key <c>{KeyPrefix}dataprotection-keys</c>. Every node then shares one key ring, so a
/// visitor token minted on one node is accepted on all of them.
/// </summary>
/// <remarks>
/// A post-configure step, so it holds whatever order the host's own <c>AddDataProtection()</c> calls come in: calling
/// <c>PersistDataProtectionKeysToRedis()</c> says where the keys go, and a repository set elsewhere would silently split
/// the ring again.
/// </remarks>
internal sealed class RedisKeyRingSetup(RedisConnection connection) : IPostConfigureOptions<KeyManagementOptions>
{
    public const string KeySuffix = "dataprotection-keys";

    public RedisKey Key { get; } = connection.KeyPrefix + KeySuffix;

    public void PostConfigure(string? name, KeyManagementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The factory runs when the key ring is read, not now: startup does not wait for Redis here.
        options.XmlRepository = new RedisXmlRepository(connection.GetDatabase, Key);
    }
}
