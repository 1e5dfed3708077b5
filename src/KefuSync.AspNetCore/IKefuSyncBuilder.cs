using Microsoft.Extensions.DependencyInjection;

namespace KefuSync;

/// <summary>
/// Returned by <c>AddKefuSync</c> so that providers chain: <c>.AddRedis(...)</c>, <c>.AddEntityFrameworkStore&lt;TContext&gt;()</c>,
/// <c>.AddHealthChecks()</c>.
/// </summary>
public interface IKefuSyncBuilder
{
    /// <summary>The host's service collection.</summary>
    IServiceCollection Services { get; }
}
