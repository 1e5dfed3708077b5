using System.Buffers;
using System.Text.Json;
using KefuSync.Endpoints;
using KefuSync.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace KefuSync.Attachments;

/// <summary>
/// The attachment endpoints of docs/protocol.md §9.1: upload, signed links, download and thumbnail, and the CORS
/// preflight. They are visitor endpoints (anonymous at the routing level): each request proves who it is itself, a
/// visitor with the <c>X-Kefu-Token</c> header (never a cookie, so a foreign page cannot upload as them), an agent with
/// the host's authentication and the agent policy, an <c>&lt;img&gt;</c> with a signed <c>?t=</c>.
/// </summary>
internal static partial class AttachmentEndpoints
{
    public const string TokenHeader = "X-Kefu-Token";
    private const int MaxLinksBodyBytes = 16 * 1024;
    private const int MaxLinks = 100;

    public static IEndpointRouteBuilder MapKefuAttachments(this IEndpointRouteBuilder group)
    {
        group.MapPost("/files/{scope}", UploadAsync).DisableAntiforgery().WithDisplayName("KefuSync upload");
        group.MapPost("/files/{scope}/links", LinksAsync).DisableAntiforgery().WithDisplayName("KefuSync file links");
        group.MapPost("/files/{scope}/copy", CopyAsync).DisableAntiforgery().WithDisplayName("KefuSync file copy");
        group.MapMethods("/files/{scope}", [HttpMethods.Options], Preflight).WithDisplayName("KefuSync upload preflight");
        group.MapMethods("/files/{scope}/links", [HttpMethods.Options], Preflight).WithDisplayName("KefuSync links preflight");
        group.MapMethods("/files/{scope}/{id}", [HttpMethods.Get, HttpMethods.Head], (HttpContext c, string scope, string id) => DownloadAsync(c, scope, id, thumbnail: false)).WithDisplayName("KefuSync download");
        group.MapMethods("/files/{scope}/{id}/thumb", [HttpMethods.Get, HttpMethods.Head], (HttpContext c, string scope, string id) => DownloadAsync(c, scope, id, thumbnail: true)).WithDisplayName("KefuSync thumbnail");
        return group;
    }

    private static async Task UploadAsync(HttpContext context, string scope)
    {
        var service = context.RequestServices.GetRequiredService<AttachmentService>();
        if (Closed(context, service, "upload") is { } closed)
        {
            await WriteErrorAsync(context, closed).ConfigureAwait(false);
            return;
        }

        var uploadId = context.Request.Query["id"].ToString();
        var name = FileNames.Clean(context.Request.Query["name"].ToString());
        if (!AttachmentKeys.IsScope(scope) || !AttachmentKeys.IsUploadId(uploadId) || name is null)
        {
            await WriteErrorAsync(context, new AttachmentRefusal(400, "bad_request", "An upload needs 'id' (1-64 chars of A-Za-z0-9_-) and a 'name'.")).ConfigureAwait(false);
            return;
        }

        var (caller, refusal) = await ResolveCallerAsync(context).ConfigureAwait(false);
        if (refusal is not null || caller is null || !MayUse(caller, scope))
        {
            await WriteErrorAsync(context, refusal ?? new AttachmentRefusal(403, "forbidden", "You may not upload files here.")).ConfigureAwait(false);
            return;
        }

        // The body limit is ours (MaxBytes, checked as it streams); Kestrel's default (30 MB) must not cut it first.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = service.Options.MaxBytes + 1;
        }

        UploadOutcome outcome;
        try
        {
            outcome = await service.UploadAsync(caller, scope, uploadId, name, context.Request.Body, context.Request.ContentLength, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreFailedException ex)
        {
            Log.StoreFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AttachmentEndpoints).FullName!), ex.InnerException ?? ex);
            await WriteErrorAsync(context, new AttachmentRefusal(503, "store_unavailable", "The file store is unavailable; upload again later with the same id.", Retry: true)).ConfigureAwait(false);
            return;
        }
        catch (UploadBodyException)
        {
            if (!context.RequestAborted.IsCancellationRequested)
            {
                await WriteErrorAsync(context, new AttachmentRefusal(400, "bad_request", "The upload's body could not be read.")).ConfigureAwait(false);
            }

            return;
        }

        if (outcome.Refusal is not null)
        {
            if (outcome.Refusal.Status == 413)
            {
                // The rest of the body is never read: close the connection rather than drain it.
                context.Response.Headers.Connection = "close";
            }

            await WriteErrorAsync(context, outcome.Refusal).ConfigureAwait(false);
            return;
        }

        var links = context.RequestServices.GetRequiredService<AttachmentLinks>();
        context.Response.StatusCode = outcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteMetadata(writer, outcome.Attachment!, scope, links, KefuEndpointMetadata.Of(context)!.For(context));
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST {prefix}/files/{scope}/copy?id=U&amp;from=S&amp;att=A</c> (agents only): the attachment A of scope S (a canned
    /// reply's file in <c>_canned</c>) becomes a new attachment of <paramref name="scope"/>, which a <c>msg</c> there can
    /// carry and whose visitor may download. Why a copy rather than a cross-scope reference: downloads stay authorised by
    /// scope alone (§9.1), a recall deletes only the conversation's copy, and erasing a conversation erases its files.
    /// </summary>
    private static async Task CopyAsync(HttpContext context, string scope)
    {
        var service = context.RequestServices.GetRequiredService<AttachmentService>();
        if (Closed(context, service, "copy files") is { } closed)
        {
            await WriteErrorAsync(context, closed).ConfigureAwait(false);
            return;
        }

        var uploadId = context.Request.Query["id"].ToString();
        var from = context.Request.Query["from"].ToString();
        var source = context.Request.Query["att"].ToString();
        if (!AttachmentKeys.IsScope(scope) || !AttachmentKeys.IsUploadId(uploadId) || !AttachmentKeys.IsScope(from) || !AttachmentKeys.IsAttachmentId(source))
        {
            await WriteErrorAsync(context, new AttachmentRefusal(400, "bad_request", "A copy needs 'id' (1-64 chars of A-Za-z0-9_-), 'from' (a scope) and 'att' (an attachment id).")).ConfigureAwait(false);
            return;
        }

        var (caller, refusal) = await ResolveCallerAsync(context).ConfigureAwait(false);
        if (refusal is not null || caller is null || caller.Role is not (PrincipalRole.Agent or PrincipalRole.Bot))
        {
            // A visitor never copies: their files are uploaded into their own scope, and _canned is not theirs to read.
            await WriteErrorAsync(context, refusal ?? new AttachmentRefusal(403, "forbidden", "Only agents may copy files.")).ConfigureAwait(false);
            return;
        }

        UploadOutcome? outcome;
        try
        {
            outcome = await service.CopyAsync(caller, scope, uploadId, from, source, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreFailedException ex)
        {
            Log.StoreFailed(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AttachmentEndpoints).FullName!), ex.InnerException ?? ex);
            await WriteErrorAsync(context, new AttachmentRefusal(503, "store_unavailable", "The file store is unavailable; copy again later with the same id.", Retry: true)).ConfigureAwait(false);
            return;
        }

        if (outcome is not { Attachment: { } copied })
        {
            await WriteErrorAsync(context, NotFound()).ConfigureAwait(false);
            return;
        }

        var links = context.RequestServices.GetRequiredService<AttachmentLinks>();
        context.Response.StatusCode = outcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteMetadata(writer, copied, scope, links, KefuEndpointMetadata.Of(context)!.For(context));
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task LinksAsync(HttpContext context, string scope)
    {
        if (!Cors(context))
        {
            await WriteErrorAsync(context, OriginRefused("ask for links")).ConfigureAwait(false);
            return;
        }

        var (caller, refusal) = await ResolveCallerAsync(context).ConfigureAwait(false);
        if (refusal is not null)
        {
            await WriteErrorAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        var ids = await ReadIdsAsync(context).ConfigureAwait(false);
        if (ids is null)
        {
            await WriteErrorAsync(context, new AttachmentRefusal(400, "bad_request", $"The body must be {{\"ids\": [1-{MaxLinks} attachment ids]}}.")).ConfigureAwait(false);
            return;
        }

        var service = context.RequestServices.GetRequiredService<AttachmentService>();
        var links = context.RequestServices.GetRequiredService<AttachmentLinks>();
        var prefix = KefuEndpointMetadata.Of(context)!.For(context);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("links"u8);
            // Not the caller's scope: the same answer as for ids that do not exist (nothing to tell apart).
            if (caller is not null && MayUse(caller, scope))
            {
                foreach (var id in ids.Distinct(StringComparer.Ordinal))
                {
                    AttachmentMetadata? meta;
                    try
                    {
                        meta = await service.FindAsync(scope, id, context.RequestAborted).ConfigureAwait(false);
                    }
                    catch (StoreFailedException)
                    {
                        await WriteErrorAsync(context, new AttachmentRefusal(503, "store_unavailable", "The file store is unavailable; ask again later.", Retry: true)).ConfigureAwait(false);
                        return;
                    }

                    if (meta is null)
                    {
                        continue;
                    }

                    writer.WriteStartObject(id);
                    var (url, thumb, expires) = Urls(links, prefix, scope, meta);
                    writer.WriteString("url"u8, url);
                    if (thumb is not null)
                    {
                        writer.WriteString("thumb"u8, thumb);
                    }

                    writer.WriteNumber("exp"u8, expires);
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DownloadAsync(HttpContext context, string scope, string id, bool thumbnail)
    {
        var service = context.RequestServices.GetRequiredService<AttachmentService>();
        var variant = thumbnail ? "thumb" : "file";
        var token = context.Request.Query["t"].ToString();
        if (token.Length > 0)
        {
            if (!context.RequestServices.GetRequiredService<AttachmentLinks>().Check(token, scope, id, variant))
            {
                await WriteErrorAsync(context, NotFound()).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            var (caller, refusal) = await ResolveCallerAsync(context).ConfigureAwait(false);
            if (refusal is not null)
            {
                await WriteErrorAsync(context, refusal).ConfigureAwait(false);
                return;
            }

            if (caller is null || !MayUse(caller, scope))
            {
                // Exactly the answer for a file that does not exist: a stranger learns nothing, even with the exact URL.
                await WriteErrorAsync(context, NotFound()).ConfigureAwait(false);
                return;
            }
        }

        try
        {
            var meta = await service.FindAsync(scope, id, context.RequestAborted).ConfigureAwait(false);
            if (meta is null || (thumbnail && !meta.Thumb))
            {
                await WriteErrorAsync(context, NotFound()).ConfigureAwait(false);
                return;
            }

            await using var blob = await service.OpenAsync(scope, id, thumbnail, context.RequestAborted).ConfigureAwait(false);
            if (blob is null)
            {
                await WriteErrorAsync(context, NotFound()).ConfigureAwait(false);
                return;
            }

            var headers = context.Response.Headers;
            SafetyHeaders(headers);
            headers.CacheControl = "private, max-age=300";
            headers.ETag = thumbnail ? $"\"{meta.Sha256}-t\"" : $"\"{meta.Sha256}\"";
            var image = thumbnail || ContentSniffer.IsImage(meta.Type);
            var download = !image || context.Request.Query["dl"] == "1";
            context.Response.ContentType = image ? (thumbnail ? ContentSniffer.WebP : meta.Type) : "application/octet-stream";
            var disposition = new ContentDispositionHeaderValue(download ? "attachment" : "inline");
            disposition.SetHttpFileName(thumbnail ? ThumbName(meta.Name) : meta.Name);
            headers.ContentDisposition = disposition.ToString();
            context.Response.ContentLength = blob.Info.Length;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            await blob.Content.CopyToAsync(context.Response.Body, 81920, context.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreFailedException) when (!context.Response.HasStarted)
        {
            context.Response.Headers.Remove(HeaderNames.ContentDisposition);
            context.Response.ContentLength = null;
            await WriteErrorAsync(context, new AttachmentRefusal(503, "store_unavailable", "The file store is unavailable; try again later.", Retry: true)).ConfigureAwait(false);
        }
    }

    private static IResult Preflight(HttpContext context)
    {
        if (!Cors(context))
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowMethods = "POST";
        headers.AccessControlAllowHeaders = $"{TokenHeader}, Content-Type";
        headers.AccessControlMaxAge = "600";
        return Results.StatusCode(StatusCodes.Status204NoContent);
    }

    /// <summary>Checks the Origin; for an allowed foreign origin, adds the CORS response header. False: a foreign Origin.</summary>
    /// <summary>Why an upload or a copy is refused before its query is read: a foreign Origin, or attachments switched off.</summary>
    private static AttachmentRefusal? Closed(HttpContext context, AttachmentService service, string doing)
        => !Cors(context) ? OriginRefused(doing)
            : !service.Options.Enabled ? new AttachmentRefusal(403, "forbidden", "Attachments are disabled on this server.")
            : null;

    private static AttachmentRefusal OriginRefused(string doing) => new(403, "forbidden", $"This Origin may not {doing} here (KefuSync:AllowedOrigins).");

    private static bool Cors(HttpContext context)
    {
        if (!context.RequestServices.GetRequiredService<OriginPolicy>().IsAllowed(context))
        {
            return false;
        }

        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            // Allowed (own or listed): echo it, so a page on an allowed origin can read the reply. No credentials: visitors
            // send their token in a header, never a cookie.
            context.Response.Headers.AccessControlAllowOrigin = origin;
            context.Response.Headers.Vary = "Origin";
        }

        return true;
    }

    /// <summary>Who is asking: a visitor by their token header, else an agent by the host's authentication, else nobody.</summary>
    private static async Task<(KefuPrincipal? Caller, AttachmentRefusal? Refusal)> ResolveCallerAsync(HttpContext context)
    {
        var token = context.Request.Headers[TokenHeader].ToString();
        if (token.Length > 0)
        {
            var tokens = context.RequestServices.GetRequiredService<VisitorTokenService>();
            if (tokens.Read(token, out var identity) != TokenCheck.Valid)
            {
                return (null, new AttachmentRefusal(401, "auth_failed", "The visitor token is forged or expired."));
            }

            return (new KefuPrincipal(identity!.Id, identity.Name, PrincipalRole.Visitor, Conversations.ConversationKeys.ForVisitor(identity.Id), identity), null);
        }

        var agent = await context.RequestServices.GetRequiredService<AgentResolver>().ResolveAsync(context).ConfigureAwait(false);
        return (agent, null);
    }

    private static bool MayUse(KefuPrincipal caller, string scope) => caller.Role switch
    {
        PrincipalRole.Agent or PrincipalRole.Bot => AttachmentKeys.IsScope(scope),
        _ => scope != AttachmentKeys.CannedScope && scope == caller.ConversationKey,
    };

    private static async Task<IReadOnlyList<string>?> ReadIdsAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxLinksBodyBytes)
        {
            return null;
        }

        var buffer = new byte[MaxLinksBodyBytes + 1];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(filled), context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            filled += read;
        }

        if (filled > MaxLinksBodyBytes)
        {
            return null;
        }

        try
        {
            var request = JsonSerializer.Deserialize(buffer.AsSpan(0, filled), AttachmentJsonContext.Default.LinksRequest);
            return request?.Ids is { Count: > 0 and <= MaxLinks } ids && ids.All(i => i is not null && i.Length <= 64) ? ids : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static void WriteMetadata(Utf8JsonWriter writer, AttachmentMetadata meta, string scope, AttachmentLinks links, PathString prefix)
    {
        writer.WriteStartObject();
        WriteMetadataMembers(writer, meta);
        var (url, thumb, expires) = Urls(links, prefix, scope, meta);
        writer.WriteString("url"u8, url);
        if (thumb is not null)
        {
            writer.WriteString("thumbUrl"u8, thumb);
        }

        writer.WriteNumber("exp"u8, expires);
        writer.WriteEndObject();
    }

    /// <summary>The members of §9.3 (what a <c>msg</c> op stores as <c>att</c>).</summary>
    internal static void WriteMetadataMembers(Utf8JsonWriter writer, AttachmentMetadata meta)
    {
        writer.WriteString("id"u8, meta.Id);
        writer.WriteString("name"u8, meta.Name);
        writer.WriteNumber("size"u8, meta.Size);
        writer.WriteString("type"u8, meta.Type);
        if (meta.Width is { } w && meta.Height is { } h)
        {
            writer.WriteNumber("w"u8, w);
            writer.WriteNumber("h"u8, h);
        }

        writer.WriteString("sha256"u8, meta.Sha256);
        writer.WriteBoolean("thumb"u8, meta.Thumb);
    }

    private static (string Url, string? Thumb, long Expires) Urls(AttachmentLinks links, PathString prefix, string scope, AttachmentMetadata meta)
    {
        var file = prefix.Add($"/files/{scope}/{meta.Id}");
        var (token, expires) = links.Sign(scope, meta.Id, "file");
        var url = file.ToUriComponent() + "?t=" + token;
        string? thumb = null;
        if (meta.Thumb)
        {
            var (thumbToken, _) = links.Sign(scope, meta.Id, "thumb");
            thumb = file.Add("/thumb").ToUriComponent() + "?t=" + thumbToken;
        }

        return (url, thumb, expires);
    }

    private static void SafetyHeaders(IHeaderDictionary headers)
    {
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers["Referrer-Policy"] = "no-referrer";
    }

    private static string ThumbName(string name)
    {
        var dot = name.LastIndexOf('.');
        return (dot > 0 ? name[..dot] : name) + "-thumb.webp";
    }

    private static AttachmentRefusal NotFound() => new(404, "not_found", "No such file.");

    private static async Task WriteErrorAsync(HttpContext context, AttachmentRefusal refusal)
    {
        var response = context.Response;
        response.StatusCode = refusal.Status;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        SafetyHeaders(response.Headers);
        if (refusal.RetryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("code"u8, refusal.Code);
            writer.WriteString("msg"u8, refusal.Message);
            writer.WriteBoolean("retry"u8, refusal.Retry);
            if (refusal.Limit is { } limit)
            {
                writer.WriteNumber("limit"u8, limit);
            }

            if (refusal.Types is { } types)
            {
                writer.WriteStartArray("types"u8);
                foreach (var type in types)
                {
                    writer.WriteStringValue(type);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}
