using KefuSync;
using KefuSync.AgentConsole;
using KefuSync.Attachments;
using KefuSync.Availability;
using KefuSync.Backplane;
using KefuSync.Conversations;
using KefuSync.Diagnostics;
using KefuSync.Email;
using KefuSync.FollowUp;
using KefuSync.Dispatch;
using KefuSync.Hosting;
using KefuSync.Presence;
using KefuSync.Security;
using KefuSync.Settings;
using KefuSync.Stores;
using KefuSync.Sync;
using KefuSync.Transport;
using KefuSync.RestApi;
using KefuSync.Webhooks;
using KefuSync.Widget;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers KefuSync: <c>builder.Services.AddKefuSync()</c>.</summary>
public static class KefuSyncServiceCollectionExtensions
{
    /// <summary>
    /// Adds KefuSync with the in-memory store and the in-process backplane. Options bind from the <c>KefuSync</c>
    /// configuration section, then <paramref name="configure"/> runs; they are validated at startup. Safe to call twice.
    /// </summary>
    /// <returns>A builder to chain providers: <c>.AddRedis(...)</c>, <c>.AddEntityFrameworkStore&lt;TContext&gt;()</c>.</returns>
    public static IKefuSyncBuilder AddKefuSync(this IServiceCollection services, Action<KefuSyncOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new KefuSyncBuilder(services);
        var optionsBuilder = services.AddOptions<KefuSyncOptions>();
        if (services.Any(d => d.ServiceType == typeof(KefuSyncMarkerService)))
        {
            // Already added: only this call's configure applies, after everything before it.
            if (configure is not null)
            {
                optionsBuilder.Configure(configure);
            }

            return builder;
        }

        // Configuration first, then code: a value set in code wins over appsettings.
        optionsBuilder.BindConfiguration(KefuSyncOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        services.AddSingleton<KefuSyncMarkerService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KefuSyncOptions>, KefuSyncOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KefuSyncOptions>, WebhookOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KefuSyncOptions>, ApiOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddMetrics();
        services.AddAuthorization();
        ConsoleAuthorizationResultHandler.Decorate(services);
        services.AddRouting();

        // The embedded default store: one instance serves both the op log and snapshots.
        services.TryAddSingleton<InMemoryOpStore>();
        services.TryAddSingleton<IOpStore>(sp => sp.GetRequiredService<InMemoryOpStore>());
        services.TryAddSingleton<ISnapshotStore>(sp => sp.GetRequiredService<InMemoryOpStore>());
        services.TryAddSingleton<IBackplane, InProcessBackplane>();
        // The embedded blob store for attachments: files under Attachments.StoragePath (UseBlobStore<T> replaces it).
        services.TryAddSingleton<IBlobStore>(sp =>
        {
            // Relative to the content root; default App_Data/kefu-files.
            var configured = sp.GetRequiredService<IOptions<KefuSyncOptions>>().Value.Attachments.StoragePath;
            var contentRoot = sp.GetService<Microsoft.Extensions.Hosting.IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
            var root = string.IsNullOrWhiteSpace(configured) ? Path.Combine(contentRoot, "App_Data", "kefu-files") : Path.Combine(contentRoot, configured);
            return new FileSystemBlobStore(root, sp.GetRequiredService<TimeProvider>());
        });

        services.TryAddSingleton<NodeIdentity>();
        services.TryAddSingleton<KefuMetrics>();
        services.TryAddSingleton<VisitorTokenService>();
        services.TryAddSingleton<BusinessHours>();
        services.TryAddSingleton<AvailabilityService>();
        services.TryAddSingleton<OriginPolicy>();
        services.TryAddSingleton<AgentResolver>();
        services.TryAddSingleton<SubscriberRegistry>();
        services.TryAddSingleton<TextDocuments>();
        services.TryAddSingleton<FanOut>();
        services.TryAddSingleton<KefuObservers>();
        // The commit pipeline and one handler per channel kind (docs/architecture.md, "The commit pipeline"); a new kind
        // is one more handler here. Listeners hear of commits without the pipeline knowing them.
        services.TryAddSingleton<CommitPipeline>();
        services.TryAddSingleton<TextChannelHandler>();
        services.TryAddSingleton<UploadRateLimiter>();
        services.TryAddSingleton<AttachmentLinks>();
        services.TryAddSingleton<AttachmentService>();
        services.TryAddSingleton<IMessageAttachments, MessageAttachments>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommitListener<MessageOp>, RecallListener>());
        services.TryAddSingleton<ConversationMessageHandler>();
        services.TryAddSingleton<InboxHandler>();
        services.TryAddSingleton<HoursSettingsSync>();
        services.TryAddSingleton<HoursSettingsHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelKindHandler, HoursSettingsHandler>(sp => sp.GetRequiredService<HoursSettingsHandler>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelKindHandler, TextChannelHandler>(sp => sp.GetRequiredService<TextChannelHandler>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelKindHandler, ConversationMessageHandler>(sp => sp.GetRequiredService<ConversationMessageHandler>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelKindHandler, InboxHandler>(sp => sp.GetRequiredService<InboxHandler>()));
        services.TryAddSingleton<InboxProjection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommitListener<MessageOp>, InboxProjection>(sp => sp.GetRequiredService<InboxProjection>()));
        services.TryAddSingleton<PresenceTracker>();
        // The frame dispatcher and one handler per frame type (hello is the handshake, before the table).
        services.TryAddSingleton<FrameReplies>();
        services.TryAddSingleton<ConversationMerge>();
        services.TryAddSingleton<HelloHandler>();
        services.TryAddSingleton<FrameDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, PingHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, SubscribeHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, UnsubscribeHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, SubmitHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, PresenceHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, HistoryHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, ByeHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameHandler, ListHandler>());
        services.TryAddSingleton<ConnectionRegistry>();
        services.TryAddSingleton<WebSocketTransport>();
        services.TryAddSingleton<SessionTokens>();
        services.TryAddSingleton<SessionRelay>();
        services.TryAddSingleton<FallbackTransport>();
        services.TryAddSingleton<IKefuSyncService, KefuSyncService>();
        // The REST API (docs/rest-api.md): off until KefuSync:Api:Keys has a key; its OpenAPI document lists it alone.
        services.TryAddSingleton<ApiKeyDirectory>();
        services.TryAddSingleton<ApiKeys>();
        services.AddKefuApiDocument();
        services.TryAddSingleton<IKefuEmailSender, SmtpEmailSender>();
        services.TryAddSingleton<EmailLinkTokens>();
        services.TryAddSingleton<FollowUpComposer>();
        services.AddHostedService<FollowUpService>();
        // Webhooks (docs/webhooks.md): delivered from the log by one node per endpoint, through a client whose connections
        // refuse private addresses unless Webhooks:AllowPrivateNetworks (checked at connect time, on the resolved address).
        services.TryAddSingleton<InboxWakeup>(); // the bot's and the webhooks' runners wait on it
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICommitListener<InboxFold>, InboxWakeup>(sp => sp.GetRequiredService<InboxWakeup>()));
        services.TryAddSingleton<ConsoleWebhookDirectory>();
        services.TryAddSingleton<IKefuWebhooks, WebhookMonitor>();
        services.AddHttpClient(WebhookNetworkPolicy.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan) // the pipeline times each attempt
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptionsMonitor<KefuSyncOptions>>();
                return WebhookNetworkPolicy.CreateHandler(() => options.CurrentValue.Webhooks.AllowPrivateNetworks);
            });
        services.AddHostedService<WebhookDeliveryService>();
        services.AddHostedService<KefuSyncBackgroundService>();
        // Business hours edited in the console (settings:hours): every node follows the last edit and tells its visitors.
        services.AddHostedService(sp => sp.GetRequiredService<HoursSettingsSync>());
        services.TryAddSingleton<AvailabilityPush>();
        services.AddHostedService(sp => sp.GetRequiredService<AvailabilityPush>());
        services.AddKefuWidget();
        return builder;
    }
}
