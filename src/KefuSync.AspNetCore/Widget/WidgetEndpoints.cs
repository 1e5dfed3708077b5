using Microsoft.AspNetCore.Routing;

namespace KefuSync.Widget;

// Placeholder written by the lead so the core builds; the widget engineer owns and replaces this file.
internal static class WidgetEndpoints
{
    public static RouteGroupBuilder MapKefuWidget(this RouteGroupBuilder group) => group;
}
