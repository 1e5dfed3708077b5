using KefuSync.Widget;
using Microsoft.Extensions.Options;

namespace KefuSync.Hosting;

/// <summary>Validates <see cref="KefuSyncOptions"/> at startup; every message names the setting as it appears in configuration.</summary>
internal sealed class KefuSyncOptionsValidator : IValidateOptions<KefuSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, KefuSyncOptions options)
    {
        var errors = new List<string>();
        var limits = options.Limits;
        Positive(errors, "KefuSync:Limits:MaxFrameBytes", limits.MaxFrameBytes, min: 1024);
        Positive(errors, "KefuSync:Limits:MaxMessageChars", limits.MaxMessageChars, min: 1);
        Positive(errors, "KefuSync:Limits:MaxDocumentChars", limits.MaxDocumentChars, min: 1);
        Positive(errors, "KefuSync:Limits:FramesPerSecond", limits.FramesPerSecond, min: 1);
        Positive(errors, "KefuSync:Limits:FrameBurst", limits.FrameBurst, min: 1);
        Positive(errors, "KefuSync:Limits:FloodCloseAfter", limits.FloodCloseAfter, min: 1);
        Positive(errors, "KefuSync:Limits:MaxSubscriptionsPerConnection", limits.MaxSubscriptionsPerConnection, min: 1);
        Positive(errors, "KefuSync:Limits:MaxClientsPerConnection", limits.MaxClientsPerConnection, min: 1);
        Positive(errors, "KefuSync:Limits:SendQueueCapacity", limits.SendQueueCapacity, min: 16);
        Positive(errors, "KefuSync:Limits:HelloTimeoutSeconds", limits.HelloTimeoutSeconds, min: 1);
        Positive(errors, "KefuSync:Limits:IdleTimeoutSeconds", limits.IdleTimeoutSeconds, min: 5);
        Positive(errors, "KefuSync:Limits:MaxAppendRetries", limits.MaxAppendRetries, min: 1);
        Positive(errors, "KefuSync:Limits:FallbackSessionIdleSeconds", limits.FallbackSessionIdleSeconds, min: 1);
        if (limits.MaxMessageChars * 3 > limits.MaxFrameBytes)
        {
            errors.Add($"KefuSync:Limits:MaxMessageChars ({limits.MaxMessageChars}) cannot fit in KefuSync:Limits:MaxFrameBytes ({limits.MaxFrameBytes}) as UTF-8; raise MaxFrameBytes to at least {limits.MaxMessageChars * 3}.");
        }

        if (options.Presence.Ttl < TimeSpan.FromSeconds(3))
        {
            errors.Add($"KefuSync:Presence:Ttl must be at least 00:00:03 (got {options.Presence.Ttl}); clients heartbeat every third of it.");
        }

        if (options.Presence.SweepInterval <= TimeSpan.Zero || options.Presence.SweepInterval > options.Presence.Ttl)
        {
            errors.Add("KefuSync:Presence:SweepInterval must be positive and not longer than KefuSync:Presence:Ttl.");
        }

        if (options.Identity.TokenLifetime <= TimeSpan.Zero)
        {
            errors.Add("KefuSync:Identity:TokenLifetime must be positive.");
        }

        if (options.Widget.Position is not ("right" or "left"))
        {
            errors.Add($"KefuSync:Widget:Position must be 'right' or 'left' (got '{options.Widget.Position}').");
        }

        if (options.Widget.Language is not ("auto" or "zh-CN" or "en"))
        {
            errors.Add($"KefuSync:Widget:Language must be 'auto', 'zh-CN' or 'en' (got '{options.Widget.Language}').");
        }

        if (!CssColor.IsHex(options.Widget.Color))
        {
            errors.Add($"KefuSync:Widget:Color must be a CSS hex colour like #1f6feb (got '{options.Widget.Color}').");
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath.Length > 1 || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                errors.Add($"KefuSync:AllowedOrigins contains '{origin}', which is not an origin like https://shop.example.com.");
            }
        }

        if (options.Retention.SnapshotEvery < 1 || options.Retention.KeepOpsBehindSnapshot < 0)
        {
            errors.Add("KefuSync:Retention:SnapshotEvery must be at least 1 and KefuSync:Retention:KeepOpsBehindSnapshot not negative.");
        }

        if (options.Conversations.PageSize is < 1 or > 200)
        {
            errors.Add("KefuSync:Conversations:PageSize must be between 1 and 200.");
        }

        ValidateAttachments(errors, options.Attachments);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateAttachments(List<string> errors, KefuAttachmentOptions attachments)
    {
        if (attachments.MaxBytes < 1)
        {
            errors.Add($"KefuSync:Attachments:MaxBytes must be at least 1 (got {attachments.MaxBytes}).");
        }

        if (attachments.MaxBytesPerConversation < attachments.MaxBytes)
        {
            errors.Add($"KefuSync:Attachments:MaxBytesPerConversation ({attachments.MaxBytesPerConversation}) must be at least KefuSync:Attachments:MaxBytes ({attachments.MaxBytes}).");
        }

        if (attachments.MaxImagePixels < 1)
        {
            errors.Add($"KefuSync:Attachments:MaxImagePixels must be at least 1 (got {attachments.MaxImagePixels}).");
        }

        Positive(errors, "KefuSync:Attachments:UploadsPerMinute", attachments.UploadsPerMinute, min: 1);
        if (attachments.LinkLifetime < TimeSpan.FromSeconds(10))
        {
            errors.Add($"KefuSync:Attachments:LinkLifetime must be at least 00:00:10 (got {attachments.LinkLifetime}).");
        }

        foreach (var type in attachments.AllowedTypes)
        {
            if (!Attachments.ContentSniffer.KnownTypes.Contains(type))
            {
                errors.Add($"KefuSync:Attachments:AllowedTypes contains '{type}', which is not one of {string.Join(", ", Attachments.ContentSniffer.KnownTypes)}.");
            }
        }
    }

    private static void Positive(List<string> errors, string setting, int value, int min)
    {
        if (value < min)
        {
            errors.Add($"{setting} must be at least {min} (got {value}).");
        }
    }
}
