using KefuSync;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the email sender on the KefuSync builder.</summary>
public static class KefuSyncBuilderEmailExtensions
{
    /// <summary>
    /// Sends KefuSync's emails with <typeparamref name="TSender"/> (a singleton) instead of the default SMTP sender
    /// (<see cref="KefuEmailOptions.Smtp"/>). Emails are still only sent when <see cref="KefuEmailOptions.Enabled"/> is true.
    /// </summary>
    public static IKefuSyncBuilder UseEmailSender<TSender>(this IKefuSyncBuilder builder)
        where TSender : class, IKefuEmailSender
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IKefuEmailSender>();
        builder.Services.TryAddSingleton<TSender>();
        builder.Services.AddSingleton<IKefuEmailSender>(sp => sp.GetRequiredService<TSender>());
        return builder;
    }
}
