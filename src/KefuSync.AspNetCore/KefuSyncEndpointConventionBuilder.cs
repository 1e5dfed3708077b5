using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// What <c>MapKefuSync</c> returns. Conventions on it apply to every KefuSync endpoint (e.g. <c>.RequireHost(...)</c>);
/// <see cref="Visitor"/> and <see cref="Console"/> take conventions for one side only.
/// </summary>
/// <remarks>
/// <para>Visitor endpoints carry <c>AllowAnonymous</c>: visitors are identified by KefuSync's own signed token, never by
/// the host's login, so neither a <c>FallbackPolicy</c> nor a <c>RequireAuthorization()</c> on this builder or on
/// <see cref="Visitor"/> locks them out. To admit only visitors the site knows, pass <c>visitor-id</c> to the tag helper
/// and set <c>KefuSync:Identity:AllowAnonymous</c> to false.</para>
/// <para>The console requires the host's <c>KefuSync:AgentPolicy</c>; a <c>RequireAuthorization(...)</c> on
/// <see cref="Console"/> adds to it.</para>
/// </remarks>
public sealed class KefuSyncEndpointConventionBuilder : IEndpointConventionBuilder
{
    private readonly IEndpointConventionBuilder _all;

    internal KefuSyncEndpointConventionBuilder(IEndpointConventionBuilder all, IEndpointConventionBuilder visitor, IEndpointConventionBuilder console)
    {
        _all = all;
        Visitor = visitor;
        Console = console;
    }

    /// <summary>
    /// The endpoints visitors use: the WebSocket (<c>/ws</c>), the fallback (<c>/connect</c>, <c>/sse</c>, <c>/send</c>),
    /// the assets (<c>/assets/...</c>) and the chat page (<c>/chat</c>).
    /// </summary>
    public IEndpointConventionBuilder Visitor { get; }

    /// <summary>The agent console page (<c>/console</c>); agents' sockets use the visitor endpoints and are checked there.</summary>
    public IEndpointConventionBuilder Console { get; }

    /// <summary>Adds a convention to every KefuSync endpoint of this mapping.</summary>
    public void Add(Action<EndpointBuilder> convention) => _all.Add(convention);

    /// <summary>Adds a convention that runs after all others, on every KefuSync endpoint of this mapping.</summary>
    public void Finally(Action<EndpointBuilder> finallyConvention) => _all.Finally(finallyConvention);
}
