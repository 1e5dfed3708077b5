using KefuSync.AgentConsole;
using KefuSync.Attachments;
using KefuSync.Availability;
using KefuSync.FollowUp;
using KefuSync.Endpoints;
using KefuSync.Hosting;
using KefuSync.RestApi;
using KefuSync.Transport;
using KefuSync.Widget;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps KefuSync's endpoints: <c>app.MapKefuSync()</c>.</summary>
public static class KefuSyncEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps everything under <paramref name="pattern"/> (default <c>/kefu</c>): the WebSocket endpoint (<c>/ws</c>), the
    /// SSE/POST fallback (<c>/connect</c>, <c>/sse</c>, <c>/send</c>), the widget assets, the standalone chat page
    /// (<c>/chat</c>) and the agent console (<c>/console</c>, behind <see cref="KefuSync.KefuSyncOptions.AgentPolicy"/>).
    /// Needs no other middleware from the host: WebSockets run in their own sub-pipeline, assets come from the assembly,
    /// and links honour <c>PathBase</c>. The long-lived endpoints (<c>/ws</c>, <c>/sse</c>) opt out of request timeouts.
    /// </summary>
    /// <remarks>
    /// A second call with another pattern maps a second, complete set of endpoints over the same engine: each set links
    /// to itself, and the widget on the host's own pages links to the first.
    /// </remarks>
    /// <returns>A builder whose conventions apply to every endpoint, with <see cref="KefuSyncEndpointConventionBuilder.Visitor"/>
    /// and <see cref="KefuSyncEndpointConventionBuilder.Console"/> for each side alone.</returns>
    /// <exception cref="InvalidOperationException"><c>AddKefuSync()</c> was not called.</exception>
    public static KefuSyncEndpointConventionBuilder MapKefuSync(this IEndpointRouteBuilder endpoints, string pattern = "/kefu")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (endpoints.ServiceProvider.GetService<KefuSyncMarkerService>() is null)
        {
            throw new InvalidOperationException("Unable to find the KefuSync services. Add them by calling 'builder.Services.AddKefuSync()' before 'app.MapKefuSync()'.");
        }

        var prefix = new PathString("/" + pattern.Trim('/'));
        var all = endpoints.MapGroup(prefix).WithMetadata(new KefuEndpointMetadata(prefix));
        var visitor = all.MapGroup("").AllowAnonymous();
        var console = all.MapGroup("");

        // UseWebSockets in a sub-pipeline of this one endpoint: the host's pipeline needs nothing.
        var sockets = endpoints.CreateApplicationBuilder();
        sockets.UseWebSockets();
        sockets.Run(context => context.RequestServices.GetRequiredService<WebSocketTransport>().HandleAsync(context));
        // A socket or an event stream lives for hours: a host's default request timeout must not cut it (as SignalR's hubs).
        visitor.Map("/ws", sockets.Build()).WithDisplayName("KefuSync WebSocket").DisableRequestTimeout();

        visitor.MapPost("/connect", (HttpContext context, FallbackTransport fallback) => fallback.ConnectAsync(context)).DisableAntiforgery().WithDisplayName("KefuSync fallback connect");
        visitor.MapGet("/sse", (HttpContext context, FallbackTransport fallback) => fallback.EventsAsync(context)).WithDisplayName("KefuSync fallback events").DisableRequestTimeout();
        visitor.MapGet("/poll", (HttpContext context, FallbackTransport fallback) => fallback.PollAsync(context)).WithDisplayName("KefuSync fallback poll").DisableRequestTimeout();
        visitor.MapPost("/send", (HttpContext context, FallbackTransport fallback) => fallback.SendAsync(context)).DisableAntiforgery().WithDisplayName("KefuSync fallback send");

        visitor.MapKefuAttachments();
        visitor.MapKefuWidget();
        visitor.MapKefuAvailability();
        visitor.MapKefuEmailLinks();
        console.MapKefuConsole();
        console.MapKefuAdmin();
        // The REST API is mapped with the rest: it answers 404 until a key is configured, so mapping it costs a host
        // nothing, and one switch (KefuSync:Api:Keys) turns it on without a code change. It takes API keys only, never
        // the agent cookie: a cookie-authenticated JSON POST would need antiforgery tokens a script cannot carry.
        var api = all.MapGroup("/api").AllowAnonymous();
        api.MapKefuApi(prefix == "/kefu" ? "" : "_" + string.Concat(prefix.Value!.Trim('/').Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')));
        api.MapOpenApi("/openapi/{documentName}.json").AddEndpointFilter(ApiEndpoints.NotFoundWhenOff).WithDisplayName("KefuSync OpenAPI document");
        return new KefuSyncEndpointConventionBuilder(all, visitor, console);
    }
}
