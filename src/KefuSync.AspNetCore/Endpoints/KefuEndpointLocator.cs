using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KefuSync.Endpoints;

/// <summary>
/// Finds the KefuSync mapping a request should link to. On a KefuSync endpoint (the chat page, the console, an asset)
/// that is the endpoint's own mapping, from its <see cref="KefuEndpointMetadata"/>. On a host page (the tag helper,
/// <c>HttpContext.KefuWidget()</c>) it is the first mapping among the application's endpoints; with none (routing not
/// set up, as in a unit test) it is the default <c>/kefu</c>.
/// </summary>
/// <remarks>
/// The scan reads the routing system's own endpoint list and is cached against that list's instance, which routing
/// replaces whenever the endpoints change: a page render costs one reference comparison, not a walk over every endpoint.
/// </remarks>
internal sealed class KefuEndpointLocator(EndpointDataSource endpoints)
{
    private Cached? _cache; // replaced whole, never mutated: a reader sees one consistent pair

    public PathString PrefixFor(HttpContext context) => (KefuEndpointMetadata.Of(context) ?? FirstMapping()).For(context);

    private KefuEndpointMetadata FirstMapping()
    {
        var current = endpoints.Endpoints;
        var cache = Volatile.Read(ref _cache);
        if (cache is not null && ReferenceEquals(cache.Endpoints, current))
        {
            return cache.Mapping;
        }

        var mapping = current.Select(e => e.Metadata.GetMetadata<KefuEndpointMetadata>()).FirstOrDefault(m => m is not null)
            ?? new KefuEndpointMetadata(KefuEndpointMetadata.DefaultPrefix);
        Volatile.Write(ref _cache, new Cached(current, mapping));
        return mapping;
    }

    private sealed record Cached(IReadOnlyList<Endpoint> Endpoints, KefuEndpointMetadata Mapping);
}
