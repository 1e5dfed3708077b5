using System.Reflection;

namespace KefuSync.Protocol;

/// <summary>Protocol version and the server version carried in <c>welcome</c>.</summary>
internal static class ProtocolConstants
{
    public const int Version = 1;

    /// <summary>The package version (one for all KefuSync packages), without a <c>+commit</c> suffix.</summary>
    public static readonly string ServerVersion = ReadVersion();

    private static string ReadVersion()
    {
        var info = typeof(ProtocolConstants).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? info : info[..plus];
    }
}
