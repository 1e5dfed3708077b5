using KefuSync.Protocol;
using Microsoft.Extensions.Options;

namespace KefuSync.Webhooks;

/// <summary>Validates <see cref="KefuSyncOptions.Webhooks"/> at startup; every message names the setting as in configuration.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<KefuSyncOptions>
{
    public ValidateOptionsResult Validate(string? name, KefuSyncOptions options)
    {
        var errors = new List<string>();
        var w = options.Webhooks;
        if (w.MaxAttempts is < 1 or > 100)
        {
            errors.Add($"KefuSync:Webhooks:MaxAttempts must be between 1 and 100 (got {w.MaxAttempts}).");
        }

        if (w.RetryDelay <= TimeSpan.Zero || w.MaxRetryDelay < w.RetryDelay)
        {
            errors.Add("KefuSync:Webhooks:RetryDelay must be positive and KefuSync:Webhooks:MaxRetryDelay at least as long.");
        }

        if (w.LeaseDuration < TimeSpan.FromSeconds(1) || w.RequestTimeout <= TimeSpan.Zero || w.RequestTimeout * 3 > w.LeaseDuration)
        {
            errors.Add($"KefuSync:Webhooks:RequestTimeout ({w.RequestTimeout}) must be positive and at most a third of KefuSync:Webhooks:LeaseDuration ({w.LeaseDuration}, at least 00:00:01): a request must end before another node may take over.");
        }

        if (w.PollInterval < TimeSpan.FromMilliseconds(10) || w.PollInterval * 3 > w.LeaseDuration)
        {
            errors.Add("KefuSync:Webhooks:PollInterval must be at least 10 ms and at most a third of KefuSync:Webhooks:LeaseDuration (the lease is renewed between polls).");
        }

        if (w.MaxConcurrency is < 1 or > 64)
        {
            errors.Add($"KefuSync:Webhooks:MaxConcurrency must be between 1 and 64 (got {w.MaxConcurrency}).");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < w.Endpoints.Count; i++)
        {
            var at = $"KefuSync:Webhooks:Endpoints:{i}";
            EndpointErrors(errors, w.Endpoints[i], at);
            if (w.Endpoints[i].Name is { } endpointName && !names.Add(endpointName))
            {
                errors.Add($"{at}:Name '{endpointName}' is used by another endpoint; each needs its own (its delivery state is kept under it).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>What is wrong with one endpoint (its name, URL, secret and events), each message starting with <paramref name="at"/>.</summary>
    public static void EndpointErrors(List<string> errors, KefuWebhookOptions e, string at)
    {
        if (e.Name is not { Length: >= 1 and <= 64 } || !e.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') || !Identifiers.IsChannelShape(WebhookLog.ChannelOf(e.Name)))
        {
            errors.Add($"{at}:Name must be 1 to 64 characters from A-Z a-z 0-9 _ . - (got '{e.Name}').");
        }

        if (!Uri.TryCreate(e.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add($"{at}:Url must be an absolute http(s) URL without credentials (got '{e.Url}').");
        }

        if (WebhookSignature.TryDecodeSecret(e.Secret) is null)
        {
            errors.Add($"{at}:Secret must be whsec_ followed by the base64 of 24 to 64 random bytes (e.g. \"whsec_\" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).");
        }

        foreach (var type in e.Events.Where(t => !KefuWebhookEvents.All.Contains(t)))
        {
            errors.Add($"{at}:Events has '{type}', which is not an event type ({string.Join(", ", KefuWebhookEvents.All)}).");
        }
    }
}
