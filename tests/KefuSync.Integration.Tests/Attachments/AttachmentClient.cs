using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using KefuSync.Conversations;
using KefuSync.Integration.Tests.Infrastructure;
using KefuSync.Security;
using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Integration.Tests.Attachments;

/// <summary>One caller of the attachment endpoints: a visitor (with their signed token) or an agent (the test login).</summary>
internal sealed class AttachmentClient(HttpClient http, string? token, string? agent, string scope)
{
    public string Scope { get; } = scope;

    public string? Token => token;

    public static AttachmentClient Visitor(KefuTestHost host, VisitorIdentity? identity = null, string? token = null)
    {
        if (identity is null)
        {
            (token, identity) = host.Services.GetRequiredService<VisitorTokenService>().IssueAnonymous();
        }

        return new AttachmentClient(host.CreateHttpClient(), token, null, ConversationKeys.ForVisitor(identity.Id));
    }

    public static AttachmentClient Agent(KefuTestHost host, string scope, string name = "alice")
        => new(host.CreateHttpClient(), null, name, scope);

    public HttpClient Http => http;

    public async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string uploadId, string name = "file.bin", string? scope = null, HttpContent? content = null, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/kefu/files/{scope ?? Scope}?id={uploadId}&name={Uri.EscapeDataString(name)}")
        {
            Content = content ?? new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("image/png"); // ignored by the server, as §9.1 says
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        Authenticate(request);
        return await http.SendAsync(request);
    }

    public async Task<JsonElement> UploadOkAsync(byte[] bytes, string uploadId, string name = "file.bin")
    {
        using var response = await UploadAsync(bytes, uploadId, name);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary><c>POST /kefu/files/{scope}/copy?id=U&amp;from=S&amp;att=A</c> (§9.1): copies a file into this client's scope.</summary>
    public async Task<HttpResponseMessage> CopyAsync(string uploadId, string from, string att, string? scope = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/kefu/files/{scope ?? Scope}/copy?id={uploadId}&from={Uri.EscapeDataString(from)}&att={Uri.EscapeDataString(att)}");
        Authenticate(request);
        return await http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> GetAsync(string path, bool authenticate = true, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (authenticate)
        {
            Authenticate(request);
        }

        return await http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> LinksAsync(params string[] ids)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/kefu/files/{Scope}/links")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { ids }), System.Text.Encoding.UTF8, "application/json"),
        };
        Authenticate(request);
        return await http.SendAsync(request);
    }

    public static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private void Authenticate(HttpRequestMessage request)
    {
        if (token is not null)
        {
            request.Headers.Add("X-Kefu-Token", token);
        }

        if (agent is not null)
        {
            request.Headers.Add("X-Test-User", agent);
            request.Headers.Add("X-Test-Role", "agent");
        }
    }
}
