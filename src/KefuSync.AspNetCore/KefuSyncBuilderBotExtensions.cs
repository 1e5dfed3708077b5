using KefuSync;
using KefuSync.Bots;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>A bot on the KefuSync builder (docs/bots.md).</summary>
public static class KefuSyncBuilderBotExtensions
{
    /// <summary>
    /// Adds the bot <typeparamref name="TBot"/>: it takes conversations (<see cref="KefuBotOptions.Takes"/>) and answers
    /// their visitor messages until it, the visitor or an agent hands them to people. One bot per application.
    /// </summary>
    /// <typeparam name="TBot">The bot; resolved from a new scope for every turn (it may depend on scoped services).</typeparam>
    /// <param name="builder">The KefuSync builder.</param>
    /// <param name="configure">Its name, which conversations it takes, history, timeout.</param>
    /// <exception cref="InvalidOperationException">A bot was added already.</exception>
    public static IKefuSyncBuilder AddBot<TBot>(this IKefuSyncBuilder builder, Action<KefuBotOptions>? configure = null)
        where TBot : class, IKefuBot
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(BotRegistration)))
        {
            throw new InvalidOperationException("AddBot was called twice: KefuSync runs one bot per application; let that bot route between others.");
        }

        services.AddSingleton(new BotRegistration(typeof(TBot)));
        services.TryAddScoped<TBot>();
        services.AddOptions<KefuBotOptions>().Configure(o => configure?.Invoke(o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KefuBotOptions>, BotOptionsValidator>());
        services.AddHostedService<BotDispatchService>(); // woken by AddKefuSync's InboxWakeup
        return builder;
    }
}
