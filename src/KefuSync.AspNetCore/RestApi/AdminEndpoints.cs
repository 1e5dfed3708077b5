using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Webhooks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KefuSync.RestApi;

/// <summary>
/// The console's Integrations panel: <c>{prefix}/console/admin/...</c> (docs/rest-api.md "Keys created in the console",
/// docs/webhooks.md). Behind the agent policy and <see cref="KefuSyncOptions.AdminPolicy"/> both, through endpoint
/// authorization as the console page is; 404 when no admin policy is set.
/// </summary>
/// <remarks>
/// These take the host's cookie, unlike the REST API. A write is therefore refused unless it carries
/// <c>X-Kefu-Admin: 1</c> and, when the browser sends one, this host's own Origin: a foreign page can neither send the
/// header without a CORS preflight (never answered here) nor forge the Origin, so it cannot make an admin's browser
/// create or revoke a key.
/// </remarks>
internal static partial class AdminEndpoints
{
    public const string WriteHeader = "X-Kefu-Admin";

    public static void MapKefuAdmin(this IEndpointRouteBuilder console)
    {
        var admin = console.MapGroup("/console/admin").DisableAntiforgery().AddEndpointFilter(GuardAsync);
        ((IEndpointConventionBuilder)admin).Add(endpoint =>
        {
            // Read when routing builds the endpoint (after startup validated the options), as the console page does.
            var options = endpoint.ApplicationServices.GetRequiredService<IOptions<KefuSyncOptions>>().Value;
            if (options.AdminPolicy.Length > 0)
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(options.AgentPolicy));
                endpoint.Metadata.Add(new AuthorizeAttribute(options.AdminPolicy));
            }
        });
        admin.MapGet("/keys", ListKeysAsync).WithDisplayName("KefuSync admin: API keys");
        admin.MapPost("/keys", CreateKeyAsync).WithDisplayName("KefuSync admin: create an API key");
        admin.MapPost("/keys/{name}/revoke", RevokeKeyAsync).WithDisplayName("KefuSync admin: revoke an API key");
        admin.MapGet("/webhooks", WebhooksAsync).WithDisplayName("KefuSync admin: webhook endpoints");
        admin.MapPost("/webhooks", AddWebhookAsync).WithDisplayName("KefuSync admin: add a webhook endpoint");
        admin.MapPost("/webhooks/{name}/remove", RemoveWebhookAsync).WithDisplayName("KefuSync admin: remove a webhook endpoint");
        admin.MapPost("/webhooks/{name}/resume", ResumeAsync).WithDisplayName("KefuSync admin: resume a webhook endpoint");
    }

    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<KefuSyncOptions>>().CurrentValue;
        if (options.AdminPolicy.Length == 0 || options.AgentPolicy.Length == 0)
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "no-store"; // a created key's secret must not sit in any cache
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            var origin = http.Request.Headers.Origin.ToString();
            var own = http.Request.Scheme + "://" + http.Request.Host.Value;
            if (http.Request.Headers[WriteHeader] != "1" || (origin.Length > 0 && !string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)))
            {
                return ApiEndpoints.Problem(ErrorCodes.Forbidden, $"An admin change comes from the console itself: this host's Origin and the header {WriteHeader}: 1.");
            }
        }

        return await next(context).ConfigureAwait(false);
    }

    private static async Task<IResult> ListKeysAsync(HttpContext context, ApiKeyDirectory directory, IOptionsMonitor<KefuSyncOptions> options, CancellationToken cancellationToken)
    {
        var keys = new List<AdminKey>();
        foreach (var key in options.CurrentValue.Api.Keys)
        {
            keys.Add(new AdminKey(key.Name, key.Role, key.DisplayName, key.Scopes is { Count: > 0 } s ? [.. s] : KefuApiScopes.All, "options", null, null, null, null, null));
        }

        try
        {
            keys.AddRange((await directory.ListAsync(cancellationToken).ConfigureAwait(false)).Select(Shown));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }

        return Results.Json(new AdminKeyList(keys, KefuApiScopes.All), AdminJsonContext.Default.AdminKeyList);
    }

    /// <summary>Reads a write's JSON body; the refusal (<c>bad_frame</c>) when it is not <paramref name="what"/>.</summary>
    private static async Task<(T? Body, IResult? Refusal)> ReadBodyAsync<T>(HttpContext context, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, cancellationToken).ConfigureAwait(false) is { } body
                ? (body, null)
                : (null, ApiEndpoints.Problem(ErrorCodes.BadFrame, "The body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return (null, ApiEndpoints.Problem(ErrorCodes.BadFrame, $"The body is not {what}: {ex.Message}"));
        }
    }

    private static async Task<IResult> CreateKeyAsync(HttpContext context, ApiKeyDirectory directory, AgentResolver agents, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadBodyAsync(context, AdminJsonContext.Default.AdminNewKey, "a key to create", cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return refused!;
        }

        var by = await ByAsync(context, agents).ConfigureAwait(false);
        try
        {
            var (key, secret, refusal) = await directory.CreateAsync(body.Name, body.Role, body.DisplayName, body.Scopes, by, cancellationToken).ConfigureAwait(false);
            return key is null
                ? ApiEndpoints.Problem(ErrorCodes.InvalidOp, refusal!)
                : Results.Json(new AdminCreatedKey(Shown(key), secret!), AdminJsonContext.Default.AdminCreatedKey, statusCode: StatusCodes.Status201Created);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }
    }

    private static async Task<IResult> RevokeKeyAsync(HttpContext context, string name, ApiKeyDirectory directory, AgentResolver agents, CancellationToken cancellationToken)
    {
        var by = await ByAsync(context, agents).ConfigureAwait(false);
        try
        {
            return await directory.RevokeAsync(name, by, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : ApiEndpoints.Problem(ErrorCodes.InvalidChannel, $"No active key '{name}' was created in the console.", StatusCodes.Status404NotFound);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }
    }

    private static async Task<IResult> WebhooksAsync(HttpContext context, IKefuWebhooks webhooks, ConsoleWebhookDirectory console, IOptionsMonitor<KefuSyncOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            var added = (await console.ListAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(w => w.Name, StringComparer.Ordinal);
            var configured = options.CurrentValue.Webhooks.Endpoints;
            var list = (await webhooks.GetStatusAsync(cancellationToken).ConfigureAwait(false)).Select(s =>
            {
                var option = configured.FirstOrDefault(e => e.Name == s.Name);
                var mine = option is null ? added.GetValueOrDefault(s.Name) : null;
                return new AdminWebhook(s.Name, s.Url, s.State, s.Node, s.Delivered, s.LastDeliveredAt, s.RecentFailures, option is null ? "console" : "options",
                    option is not null ? [.. option.Events] : [.. mine?.Events ?? []], mine?.CreatedBy, mine?.CreatedAt);
            }).ToList();
            return Results.Json(new AdminWebhookList(list, KefuWebhookEvents.All), AdminJsonContext.Default.AdminWebhookList);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }
    }

    private static async Task<IResult> AddWebhookAsync(HttpContext context, ConsoleWebhookDirectory console, AgentResolver agents, CancellationToken cancellationToken)
    {
        var (body, refused) = await ReadBodyAsync(context, AdminJsonContext.Default.AdminNewWebhook, "an endpoint to add", cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return refused!;
        }

        var by = await ByAsync(context, agents).ConfigureAwait(false);
        try
        {
            var (webhook, secret, refusal) = await console.AddAsync(body.Name, body.Url, body.Events, by, cancellationToken).ConfigureAwait(false);
            return webhook is null
                ? ApiEndpoints.Problem(ErrorCodes.InvalidOp, refusal!)
                : Results.Json(new AdminCreatedWebhook(webhook.Name, webhook.Url, webhook.Events, secret!), AdminJsonContext.Default.AdminCreatedWebhook, statusCode: StatusCodes.Status201Created);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }
    }

    private static async Task<IResult> RemoveWebhookAsync(HttpContext context, string name, ConsoleWebhookDirectory console, AgentResolver agents, CancellationToken cancellationToken)
    {
        var by = await ByAsync(context, agents).ConfigureAwait(false);
        try
        {
            return await console.RemoveAsync(name, by, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : ApiEndpoints.Problem(ErrorCodes.InvalidChannel, $"No endpoint '{name}' was added in the console (or it was removed already).", StatusCodes.Status404NotFound);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }
    }

    private static async Task<IResult> ResumeAsync(HttpContext context, string name, IKefuWebhooks webhooks, CancellationToken cancellationToken)
    {
        try
        {
            return await webhooks.ResumeAsync(name, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : ApiEndpoints.Problem(ErrorCodes.InvalidChannel, $"No paused endpoint '{name}'.", StatusCodes.Status404NotFound);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return StoreDown(context, ex);
        }
    }

    private static AdminKey Shown(StoredApiKey key)
        => new(key.Name, key.Role, key.DisplayName, key.Scopes, "console", key.Hint, key.CreatedBy, key.CreatedAt, key.RevokedAt, key.RevokedBy);

    /// <summary>Who made the change, as the log records it: the admin's agent id.</summary>
    private static async Task<string> ByAsync(HttpContext context, AgentResolver agents)
        => (await agents.ResolveAsync(context).ConfigureAwait(false))?.Id ?? "agent:?";

    private static IResult StoreDown(HttpContext context, Exception exception)
    {
        StoreFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminEndpoints).FullName!), context.Request.Path, exception);
        return ApiEndpoints.Problem(ErrorCodes.StoreUnavailable, "The store does not answer; try again.");
    }

    [LoggerMessage(EventId = 2702, EventName = "AdminStoreFailed", Level = LogLevel.Warning, Message = "An admin request to {Path} failed: the store did not answer.")]
    private static partial void StoreFailed(ILogger logger, string path, Exception exception);
}
