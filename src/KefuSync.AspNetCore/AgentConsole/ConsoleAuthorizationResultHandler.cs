using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace KefuSync.AgentConsole;

/// <summary>
/// Wraps the host's <see cref="IAuthorizationMiddlewareResultHandler"/> to answer one case itself: a signed-in user
/// refused by the console's policy gets a plain 403. The scheme's own Forbid would have a cookie scheme redirect to an
/// AccessDenied page the host may not have. Every other outcome, the challenge of an anonymous user included, and every
/// other endpoint go to the host's handler unchanged.
/// </summary>
internal sealed class ConsoleAuthorizationResultHandler(IAuthorizationMiddlewareResultHandler inner) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.GetEndpoint()?.Metadata.GetMetadata<ConsoleEndpointMarker>() is not null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            return context.Response.WriteAsync("This account may not use the KefuSync agent console: it does not pass the site's agent policy.", context.RequestAborted);
        }

        return inner.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// Replaces the registered handler (the framework's default, or one the host registered before <c>AddKefuSync</c>)
    /// with this wrapper around it. A handler the host registers later replaces the wrapper, and then decides the
    /// console's 403 too.
    /// </summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler) && !d.IsKeyedService);
        if (registered is null)
        {
            return;
        }

        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(
            typeof(IAuthorizationMiddlewareResultHandler),
            sp => new ConsoleAuthorizationResultHandler(Resolve(sp, registered)),
            registered.Lifetime));
    }

    private static IAuthorizationMiddlewareResultHandler Resolve(IServiceProvider services, ServiceDescriptor registered) =>
        (IAuthorizationMiddlewareResultHandler)(registered.ImplementationInstance
            ?? registered.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.GetServiceOrCreateInstance(services, registered.ImplementationType!));
}
