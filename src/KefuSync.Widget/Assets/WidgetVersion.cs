using System.Reflection;

namespace KefuSync.Widget.Assets;

/// <summary>
/// The version of the embedded front end: this assembly's informational version without a <c>+commit</c> suffix. It is
/// the <c>{version}</c> segment of asset URLs and the client version the widget sends in <c>hello</c>. All KefuSync
/// packages share one version (<c>VersionPrefix</c> in Directory.Build.props), so it equals the server's.
/// </summary>
internal static class WidgetVersion
{
    public static readonly string Current = Read();

    private static string Read()
    {
        var info = typeof(WidgetVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? info : info[..plus];
    }
}
