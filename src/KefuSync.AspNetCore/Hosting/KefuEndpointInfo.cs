using Microsoft.AspNetCore.Http;

namespace KefuSync.Hosting;

/// <summary>Where <c>MapKefuSync</c> put the endpoints (the pattern, without PathBase), for building links per request.</summary>
internal sealed class KefuEndpointInfo
{
    public PathString Prefix { get; set; } = "/kefu";

    /// <summary>The endpoint's absolute path for this request: PathBase + prefix (never string concatenation of raw paths).</summary>
    public PathString For(HttpContext context) => context.Request.PathBase.Add(Prefix);
}
