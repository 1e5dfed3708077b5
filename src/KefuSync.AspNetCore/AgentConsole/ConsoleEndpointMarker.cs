namespace KefuSync.AgentConsole;

/// <summary>Endpoint metadata that marks the agent console, so its authorization outcome can be answered KefuSync's way.</summary>
internal sealed class ConsoleEndpointMarker
{
    public static readonly ConsoleEndpointMarker Instance = new();

    private ConsoleEndpointMarker()
    {
    }
}
