using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using KefuSync.Conversations;
using KefuSync.Protocol;
using KefuSync.Security;
using KefuSync.Stores;
using KefuSync.Sync;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.RestApi;

/// <summary>
/// The REST API under <c>{prefix}/api/v1</c> (docs/rest-api.md). Every write is a conversation op through the commit
/// pipeline, exactly as a console frame is: the same parser, rules, limits, idempotency and broadcast.
/// </summary>
internal static class ApiEndpoints
{
    /// <summary>The OpenAPI document's name and the group name of every API endpoint.</summary>
    public const string DocumentName = "kefusync";

    private const string PrincipalItem = "KefuSync.ApiPrincipal";

    /// <param name="api">The group under the mapping's prefix.</param>
    /// <param name="nameSuffix">Appended to every endpoint name: names are unique in an app, and a host may map KefuSync
    /// under two prefixes (the second mapping's operations get its prefix in their names).</param>
    public static void MapKefuApi(this RouteGroupBuilder api, string nameSuffix = "")
    {
        var v1 = api.MapGroup("/v1");
        v1.AddEndpointFilter(AuthenticateAsync).WithGroupName(DocumentName).DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        v1.MapGet("/conversations", ListAsync).WithName("kefu_list_conversations" + nameSuffix).RequireScope(KefuApiScopes.ConversationsRead)
            .WithSummary("Lists conversations from the inbox, filtered, in pages.")
            .Produces<ApiConversationPage>().ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapGet("/conversations/{key}", ConversationAsync).WithName("kefu_get_conversation" + nameSuffix).RequireScope(KefuApiScopes.ConversationsRead)
            .WithSummary("One conversation, as the list shows it.")
            .Produces<ApiConversation>();
        v1.MapGet("/visitors/{id}", VisitorAsync).WithName("kefu_get_visitor" + nameSuffix).RequireScope(KefuApiScopes.VisitorsRead)
            .WithSummary("A visitor's profile, by the visitor id of a conversation.")
            .Produces<ApiVisitor>();
        v1.MapGet("/conversations/{key}/messages", MessagesAsync).WithName("kefu_list_messages" + nameSuffix).RequireScope(KefuApiScopes.MessagesRead)
            .WithSummary("A conversation's ops after a revision, in order, in pages.")
            .Produces<ApiMessagePage>().ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapPost("/conversations/{key}/messages", PostAsync).WithName("kefu_post_message" + nameSuffix).RequireScope(KefuApiScopes.MessagesWrite)
            .WithSummary("Posts a message as the key's agent or bot; idempotent with Idempotency-Key.")
            .Accepts<ApiPostMessage>("application/json").Produces<ApiCommitted>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status429TooManyRequests);
        v1.MapPost("/conversations/{key}/status", StatusAsync).WithName("kefu_set_status" + nameSuffix).RequireScope(KefuApiScopes.ConversationsWrite)
            .WithSummary("Sets a conversation's status: open, pending or closed.")
            .Accepts<ApiSetStatus>("application/json").Produces<ApiCommitted>().ProducesProblem(StatusCodes.Status400BadRequest);
        v1.MapPost("/conversations/{key}/assign", AssignAsync).WithName("kefu_assign" + nameSuffix).RequireScope(KefuApiScopes.ConversationsWrite)
            .WithSummary("Assigns a conversation to an agent, or unassigns it with null.")
            .Accepts<ApiAssign>("application/json").Produces<ApiCommitted>().ProducesProblem(StatusCodes.Status400BadRequest);
    }

    /// <summary>The scope an endpoint needs (<see cref="KefuApiScopes"/>), checked by <see cref="AuthenticateAsync"/> and named in the document.</summary>
    private static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder endpoint, string scope)
        => endpoint.WithMetadata(new ApiScopeMetadata(scope)).WithDescription($"Needs the scope `{scope}`.");

    /// <summary>
    /// Off (no key anywhere): 404, as if nothing were mapped. On: a missing, unknown or revoked key is 401 with a bearer
    /// challenge, a key without the endpoint's scope 403, and a key the store must vouch for while it cannot 503.
    /// </summary>
    public static async ValueTask<object?> AuthenticateAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var keys = http.RequestServices.GetRequiredService<ApiKeys>();
        var (outcome, caller) = await keys.AuthenticateAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        switch (outcome)
        {
            case ApiKeys.Outcome.Off:
                return Results.NotFound();
            case ApiKeys.Outcome.StoreUnavailable:
                return Problem(ErrorCodes.StoreUnavailable, "The API keys cannot be checked now: the store does not answer. Retry later.");
            case ApiKeys.Outcome.Refused:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Problem(ErrorCodes.AuthFailed, "A valid API key is needed: Authorization: Bearer KEY.");
        }

        if (http.GetEndpoint()?.Metadata.GetMetadata<ApiScopeMetadata>() is { } needed && !caller.Scopes.Contains(needed.Scope))
        {
            return Problem(ErrorCodes.Forbidden, $"This key lacks the scope '{needed.Scope}'.");
        }

        http.Items[PrincipalItem] = caller.Principal;
        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The document is public when the API is on (it holds no secret) and absent when it is off.</summary>
    public static async ValueTask<object?> NotFoundWhenOff(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => await context.HttpContext.RequestServices.GetRequiredService<ApiKeys>().EnabledAsync(context.HttpContext.RequestAborted).ConfigureAwait(false)
            ? await next(context).ConfigureAwait(false)
            : Results.NotFound();

    private static KefuPrincipal Caller(HttpContext context) => (KefuPrincipal)context.Items[PrincipalItem]!;

    private static async Task<IResult> ListAsync(InboxProjection inbox, string? status, string? assignee, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if (status is not (null or "open" or "pending" or "closed"))
        {
            return Problem(ErrorCodes.InvalidOp, "'status' must be open, pending or closed.");
        }

        if (assignee is not null && assignee != "none" && !assignee.StartsWith("agent:", StringComparison.Ordinal))
        {
            return Problem(ErrorCodes.InvalidOp, "'assignee' must be an agent id (agent:NAME) or none.");
        }

        if (limit is < 1 or > 100)
        {
            return Problem(ErrorCodes.InvalidOp, "'limit' must be between 1 and 100.");
        }

        string? after = null;
        if (cursor is not null)
        {
            try
            {
                after = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(cursor));
            }
            catch (FormatException)
            {
                return Problem(ErrorCodes.InvalidOp, "'cursor' is not a cursor this API returned.");
            }
        }

        var count = limit ?? 50;
        // Ordered by key, not by activity: a page boundary stays put while conversations change, so paging never skips one.
        // One more than the page asks for tells whether there is a next page.
        var found = await inbox.PageAsync(
            after,
            count + 1,
            s => (status is null || s.Status == status)
                && (assignee is null || (assignee == "none" ? s.Assignee is null : s.Assignee == assignee)),
            cancellationToken).ConfigureAwait(false);
        var page = found.Take(count).Select(Shown).ToList();
        var next = found.Count > count ? WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(page[^1].Key)) : null;
        return Json(new ApiConversationPage(page, next), ApiJsonContext.Default.ApiConversationPage);
    }

    private static ApiConversation Shown(ConversationSummary s) => new(s.Key, s.Status, s.Assignee, s.VisitorName, s.Email, s.LastText, s.LastRevision, s.Unread, s.Activity, s.VisitorId);

    private static async Task<IResult> ConversationAsync(InboxProjection inbox, string key, CancellationToken cancellationToken)
        => await FindSummaryAsync(inbox, key, cancellationToken).ConfigureAwait(false) is { } summary
            ? Json(Shown(summary), ApiJsonContext.Default.ApiConversation)
            : UnknownConversation(key);

    /// <summary>The visitor whose conversation this id keys (docs/rest-api.md): the key is derived from the id, as the server derives it.</summary>
    private static async Task<IResult> VisitorAsync(InboxProjection inbox, string id, CancellationToken cancellationToken)
    {
        if (id.Length is 0 or > 200 || await FindSummaryAsync(inbox, ConversationKeys.ForVisitor(id), cancellationToken).ConfigureAwait(false) is not { VisitorId: { } visitorId } summary || visitorId != id)
        {
            return ApiEndpoints.Problem(ErrorCodes.InvalidChannel, $"No visitor '{id}'.", StatusCodes.Status404NotFound);
        }

        var fields = summary.Fields is { } f ? new Dictionary<string, string>(f, StringComparer.Ordinal) : [];
        return Json(new ApiVisitor(visitorId, summary.VisitorName, summary.VisitorGen is not null, summary.Email, summary.Lang, fields, summary.Key), ApiJsonContext.Default.ApiVisitor);
    }

    private static async Task<ConversationSummary?> FindSummaryAsync(InboxProjection inbox, string key, CancellationToken cancellationToken)
        => ChannelName.TryParse("conv:" + key, out var channel) && channel.Kind == ChannelKind.Conversation
            ? await inbox.FindAsync(key, cancellationToken).ConfigureAwait(false)
            : null;

    private static async Task<IResult> MessagesAsync(InboxProjection inbox, IOpStore store, string key, long? after, int? limit, CancellationToken cancellationToken)
    {
        if (after is < 0 || limit is < 1 or > 200)
        {
            return Problem(ErrorCodes.InvalidOp, "'after' must be 0 or more and 'limit' between 1 and 200.");
        }

        if (await FindAsync(inbox, key, cancellationToken).ConfigureAwait(false) is not { } channel)
        {
            return UnknownConversation(key);
        }

        var count = limit ?? 100;
        var ops = await store.ReadAsync(channel.Value, after ?? 0, count + 1, cancellationToken).ConfigureAwait(false);
        var items = ops.Take(count).Select(o => new ApiMessage(o.Revision, o.Author, o.Timestamp, o.ClientOpId, JsonDocument.Parse(o.Payload).RootElement.Clone())).ToList();
        return Json(new ApiMessagePage(items, ops.Count > count ? items[^1].Revision : null), ApiJsonContext.Default.ApiMessagePage);
    }

    private static Task<IResult> PostAsync(HttpContext context, string key, CancellationToken cancellationToken)
        => WriteAsync(context, key, ApiJsonContext.Default.ApiPostMessage, (w, body) =>
        {
            w.WriteString("k", "msg");
            w.WriteString("text", body.Text);
        }, cancellationToken);

    private static Task<IResult> StatusAsync(HttpContext context, string key, CancellationToken cancellationToken)
        => WriteAsync(context, key, ApiJsonContext.Default.ApiSetStatus, (w, body) =>
        {
            w.WriteString("k", "status");
            w.WriteString("status", body.Status);
        }, cancellationToken);

    private static Task<IResult> AssignAsync(HttpContext context, string key, CancellationToken cancellationToken)
        => WriteAsync(context, key, ApiJsonContext.Default.ApiAssign, (w, body) =>
        {
            w.WriteString("k", "assign");
            w.WriteString("to", body.To);
        }, cancellationToken);

    /// <summary>
    /// Reads the body, writes it as the conversation op a console would send, and submits it as the key's principal. The
    /// op's own parser and the conversation rules decide what is valid (a null text or status is the op's invalid_op).
    /// </summary>
    private static async Task<IResult> WriteAsync<T>(HttpContext context, string key, JsonTypeInfo<T> type, Action<Utf8JsonWriter, T> write, CancellationToken cancellationToken)
        where T : class
    {
        var services = context.RequestServices;
        if (await FindAsync(services.GetRequiredService<InboxProjection>(), key, cancellationToken).ConfigureAwait(false) is not { } channel)
        {
            return UnknownConversation(key);
        }

        var opId = context.Request.Headers["Idempotency-Key"].ToString();
        if (opId.Length == 0)
        {
            opId = WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        }
        else if (!Identifiers.IsOpId(opId) || Identifiers.IsServerOpId(opId))
        {
            // The key is the op's id: the server's own ids (docs/protocol.md §4.2) are refused here as on the socket.
            return Problem(ErrorCodes.InvalidOp, "'Idempotency-Key' must be 1 to 64 printable ASCII characters, not beginning or ending with '~'.");
        }

        // A body is at most a frame's size, as on the socket: refused before it is buffered, not after 30 MB of it.
        var maxBytes = services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<KefuSyncOptions>>().CurrentValue.Limits.MaxFrameBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            return Problem(ErrorCodes.TooLarge, $"The body is larger than {maxBytes} bytes.");
        }

        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBytes;
        }

        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, type, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return Problem(ErrorCodes.BadFrame, "The body is not valid JSON for this endpoint: " + ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(ErrorCodes.TooLarge, $"The body is larger than {maxBytes} bytes.");
        }

        if (body is null)
        {
            return Problem(ErrorCodes.BadFrame, "The body must be a JSON object.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer, body);
            writer.WriteEndObject();
        }

        var pipeline = services.GetRequiredService<CommitPipeline>();
        var result = await pipeline.SubmitAsync(Caller(context), channel, opId, 0, buffer.ToArray(), cancellationToken).ConfigureAwait(false);
        return result.Committed
            ? Json(new ApiCommitted(result.Revision, result.Duplicate), ApiJsonContext.Default.ApiCommitted)
            : Problem(result.ErrorCode!, result.ErrorMessage!);
    }

    /// <summary>The conversation's channel when the inbox knows it: the API never creates a conversation by writing to a new key.</summary>
    private static async Task<ChannelName?> FindAsync(InboxProjection inbox, string key, CancellationToken cancellationToken)
    {
        if (!ChannelName.TryParse("conv:" + key, out var channel) || channel.Kind != ChannelKind.Conversation)
        {
            return null;
        }

        return await inbox.FindAsync(key, cancellationToken).ConfigureAwait(false) is null ? null : channel;
    }

    private static IResult UnknownConversation(string key) => Problem(ErrorCodes.InvalidChannel, $"No conversation '{key}'.", StatusCodes.Status404NotFound);

    private static IResult Json<T>(T value, JsonTypeInfo<T> type) => Results.Json(value, type);

    /// <summary>A problem details body (RFC 7807) carrying the protocol's error code in <c>code</c> and <c>type</c>.</summary>
    public static IResult Problem(string code, string detail, int? status = null)
        => Results.Problem(
            detail: detail,
            statusCode: status ?? StatusFor(code),
            title: code,
            type: "https://kefusync.dev/errors/" + code,
            extensions: new Dictionary<string, object?> { ["code"] = code, ["retryable"] = ErrorCodes.IsRetryable(code) });

    /// <summary>The HTTP status of each protocol error code (docs/rest-api.md, "Errors").</summary>
    public static int StatusFor(string code) => code switch
    {
        ErrorCodes.AuthFailed => StatusCodes.Status401Unauthorized,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.InvalidChannel => StatusCodes.Status404NotFound,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.RateLimited or ErrorCodes.LimitExceeded => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Conflict or ErrorCodes.StaleBase or ErrorCodes.FutureBase => StatusCodes.Status409Conflict,
        ErrorCodes.StoreUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };
}
