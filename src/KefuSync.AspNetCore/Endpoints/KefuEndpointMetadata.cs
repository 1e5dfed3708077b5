using Microsoft.AspNetCore.Http;

namespace KefuSync.Endpoints;

/// <summary>
/// Endpoint metadata on every endpoint one <c>MapKefuSync</c> call maps: where that mapping lives (the pattern, without
/// PathBase). Per-mapping data lives here rather than in a singleton, so two mappings under different prefixes each
/// build their own links.
/// </summary>
internal sealed class KefuEndpointMetadata(PathString prefix)
{
    /// <summary>The default of <c>MapKefuSync</c>'s pattern.</summary>
    public static readonly PathString DefaultPrefix = "/kefu";

    public PathString Prefix { get; } = prefix;

    /// <summary>The mapping's absolute path for this request: PathBase + prefix (never string concatenation of raw paths).</summary>
    public PathString For(HttpContext context) => context.Request.PathBase.Add(Prefix);

    /// <summary>The metadata of the KefuSync endpoint serving <paramref name="context"/>, or null on any other endpoint.</summary>
    public static KefuEndpointMetadata? Of(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<KefuEndpointMetadata>();
}
