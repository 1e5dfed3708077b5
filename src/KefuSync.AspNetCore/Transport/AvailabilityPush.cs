using KefuSync.Availability;
using KefuSync.Protocol;
using KefuSync.Security;
using Microsoft.Extensions.Hosting;

namespace KefuSync.Transport;

/// <summary>
/// When the schedule in force changes (an agent's edit on any node), tells this node's visitors at once with an
/// <c>avail</c> frame (docs/protocol.md §2.4), instead of leaving their widgets on the old hours until they reconnect.
/// A frame is built once per distinct <c>avail</c> (visitors differ only in <c>ask</c>), not once per visitor.
/// </summary>
internal sealed class AvailabilityPush(BusinessHours hours, AvailabilityService availability, ConnectionRegistry connections) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        hours.Changed += Push;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        hours.Changed -= Push;
        return Task.CompletedTask;
    }

    internal void Push()
    {
        var frames = new Dictionary<AvailabilityView, byte[]>(2);
        foreach (var connection in connections.All)
        {
            if (connection.Principal is not { Role: PrincipalRole.Visitor } visitor)
            {
                continue;
            }

            var view = availability.For(visitor.Visitor);
            if (!frames.TryGetValue(view, out var frame))
            {
                frames[view] = frame = FrameWriter.Availability(view);
            }

            connection.Send(frame);
        }
    }
}
