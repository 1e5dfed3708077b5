using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Widget;

// Placeholder written by the lead so the core builds; the widget engineer owns and replaces this file.
internal static class WidgetServiceCollectionExtensions
{
    public static IServiceCollection AddKefuWidget(this IServiceCollection services) => services;
}
