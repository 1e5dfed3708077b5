using KefuSync;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Webhook endpoints on the KefuSync builder (docs/webhooks.md).</summary>
public static class KefuSyncBuilderWebhookExtensions
{
    /// <summary>
    /// Adds a webhook endpoint: committed conversation events are POSTed to <paramref name="url"/>, signed with
    /// <paramref name="secret"/> (<c>whsec_…</c>). The same as an entry of <c>KefuSync:Webhooks:Endpoints</c>.
    /// </summary>
    /// <param name="builder">The KefuSync builder.</param>
    /// <param name="name">A stable name (its delivery state is kept under it).</param>
    /// <param name="url">The receiver's absolute URL.</param>
    /// <param name="secret">The Standard Webhooks secret, <c>whsec_</c> + base64.</param>
    /// <param name="events">The event types to send (<see cref="KefuWebhookEvents"/>); none sends all.</param>
    public static IKefuSyncBuilder AddWebhook(this IKefuSyncBuilder builder, string name, string url, string secret, params string[] events)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(events);
        return builder.AddWebhook(o =>
        {
            o.Name = name;
            o.Url = url;
            o.Secret = secret;
            o.Events = [.. events];
        });
    }

    /// <summary>Adds a webhook endpoint configured by <paramref name="configure"/>.</summary>
    public static IKefuSyncBuilder AddWebhook(this IKefuSyncBuilder builder, Action<KefuWebhookOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var endpoint = new KefuWebhookOptions();
        configure(endpoint);
        builder.Services.Configure<KefuSyncOptions>(o => o.Webhooks.Endpoints.Add(endpoint));
        return builder;
    }
}
