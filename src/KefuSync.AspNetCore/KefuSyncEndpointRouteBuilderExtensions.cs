using KefuSync.AgentConsole;
using KefuSync.Hosting;
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
    /// and links honour <c>PathBase</c>.
    /// </summary>
    /// <returns>The route group, so conventions apply the ASP.NET way (e.g. <c>.RequireHost(...)</c>).</returns>
    /// <exception cref="InvalidOperationException"><c>AddKefuSync()</c> was not called.</exception>
    public static RouteGroupBuilder MapKefuSync(this IEndpointRouteBuilder endpoints, string pattern = "/kefu")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        if (endpoints.ServiceProvider.GetService<KefuSyncMarkerService>() is null)
        {
            throw new InvalidOperationException("Unable to find the KefuSync services. Add them by calling 'builder.Services.AddKefuSync()' before 'app.MapKefuSync()'.");
        }

        var prefix = new PathString("/" + pattern.Trim('/'));
        endpoints.ServiceProvider.GetRequiredService<KefuEndpointInfo>().Prefix = prefix;
        var group = endpoints.MapGroup(prefix);

        // UseWebSockets in a sub-pipeline of this one endpoint: the host's pipeline needs nothing.
        var sockets = endpoints.CreateApplicationBuilder();
        sockets.UseWebSockets();
        sockets.Run(context => context.RequestServices.GetRequiredService<WebSocketTransport>().HandleAsync(context));
        group.Map("/ws", sockets.Build()).WithDisplayName("KefuSync WebSocket");

        group.MapPost("/connect", (HttpContext context, FallbackTransport fallback) => fallback.ConnectAsync(context)).DisableAntiforgery().WithDisplayName("KefuSync fallback connect");
        group.MapGet("/sse", (HttpContext context, FallbackTransport fallback) => fallback.EventsAsync(context)).WithDisplayName("KefuSync fallback events");
        group.MapPost("/send", (HttpContext context, FallbackTransport fallback) => fallback.SendAsync(context)).DisableAntiforgery().WithDisplayName("KefuSync fallback send");

        group.MapKefuWidget();
        group.MapKefuConsole();
        return group;
    }
}
