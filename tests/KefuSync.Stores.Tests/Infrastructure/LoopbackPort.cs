using System.Net;
using System.Net.Sockets;

namespace KefuSync.Tests.Infrastructure;

/// <summary>Free TCP ports on 127.0.0.1 for servers started by tests.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port that was free a moment ago (the OS picks it). Another process may take it before the server binds it, so
    /// fixtures retry with a new port when a server fails to start.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>True when something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
