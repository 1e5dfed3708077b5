using KefuSync.Endpoints;
using KefuSync.Widget.Assets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace KefuSync.Widget;

/// <summary>Registers what the widget (KefuSync.Widget) needs from the server.</summary>
internal static class WidgetServiceCollectionExtensions
{
    public static IServiceCollection AddKefuWidget(this IServiceCollection services)
    {
        services.TryAddSingleton<KefuEndpointLocator>();
        services.TryAddSingleton<EmbeddedAssets>();
        services.TryAddSingleton<IKefuWidgetService, WidgetService>();
        return services;
    }
}
