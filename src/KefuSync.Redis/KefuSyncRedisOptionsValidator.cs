using Microsoft.Extensions.Options;

namespace KefuSync.Redis;

/// <summary>Checks <see cref="KefuSyncRedisOptions"/> at startup; every failure names the setting and the fix.</summary>
internal sealed class KefuSyncRedisOptionsValidator : IValidateOptions<KefuSyncRedisOptions>
{
    // Polly's timeout strategy accepts 10 ms to 1 day; anything beyond a minute is a configuration mistake here anyway.
    internal static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(50);
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);
    internal const int MinReceiveQueueBytes = 1;
    internal const int MaxReplicas = 16;

    public ValidateOptionsResult Validate(string? name, KefuSyncRedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string>? failures = null;

        if (options.ConnectionFactory is null && string.IsNullOrWhiteSpace(options.Configuration))
        {
            (failures ??= []).Add(
                "KefuSyncRedisOptions.Configuration is empty and no ConnectionFactory is set: pass a configuration string " +
                "(e.g. AddRedis(\"localhost:6379\")) or set ConnectionFactory to return your multiplexer.");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            (failures ??= []).Add("KefuSyncRedisOptions.KeyPrefix is empty: set a prefix such as \"kefu:\" (the default).");
        }
        else if (options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            (failures ??= []).Add(
                $"KefuSyncRedisOptions.KeyPrefix '{options.KeyPrefix}' contains '{{' or '}}': remove them, KefuSync adds its own hash tags.");
        }

        if (options.OperationTimeout < MinTimeout || options.OperationTimeout > MaxTimeout)
        {
            (failures ??= []).Add(
                $"KefuSyncRedisOptions.OperationTimeout is {options.OperationTimeout}: set it between {MinTimeout.TotalMilliseconds} ms and {MaxTimeout.TotalSeconds} s.");
        }

        if (options.BackplaneReceiveQueueBytes < MinReceiveQueueBytes)
        {
            (failures ??= []).Add(
                $"KefuSyncRedisOptions.BackplaneReceiveQueueBytes is {options.BackplaneReceiveQueueBytes}: set at least {MinReceiveQueueBytes} (the default is 16 MiB).");
        }

        if (options.WaitForReplicas is < 0 or > MaxReplicas)
        {
            (failures ??= []).Add(
                $"KefuSyncRedisOptions.WaitForReplicas is {options.WaitForReplicas}: set 0 (no wait) to {MaxReplicas}, at most the replicas each primary has.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
