using System.Buffers;
using System.Text.Json;
using KefuSync.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KefuSync.Availability;

/// <summary>
/// <c>GET {prefix}/availability</c>: the <c>avail</c> object of docs/protocol.md §2.4 for an anonymous visitor. A widget
/// asks again at the instant <c>next</c> says (the hours open or close), so a page left open overnight shows the right
/// state in the morning without a reconnect.
/// </summary>
internal static class AvailabilityEndpoints
{
    public static IEndpointRouteBuilder MapKefuAvailability(this IEndpointRouteBuilder group)
    {
        group.MapGet("/availability", Serve).WithDisplayName("KefuSync availability");
        return group;
    }

    private static IResult Serve(HttpContext context, AvailabilityService availability)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            FrameWriter.WriteAvailability(writer, availability.For(visitor: null));
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json");
    }
}
