using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace KefuSync.Security;

/// <summary>Decides, at the handshake, whether the HTTP user may act as an agent: the host's own policy (<see cref="KefuSyncOptions.AgentPolicy"/>) decides.</summary>
internal sealed class AgentResolver(IAuthorizationService authorization, IOptionsMonitor<KefuSyncOptions> options)
{
    public async Task<KefuPrincipal?> ResolveAsync(HttpContext context)
    {
        var policy = options.CurrentValue.AgentPolicy;
        var user = context.User;
        if (string.IsNullOrEmpty(policy) || user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var result = await authorization.AuthorizeAsync(user, policy).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return null;
        }

        var key = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity.Name ?? "agent";
        var name = user.FindFirstValue(ClaimTypes.GivenName) ?? user.Identity.Name ?? key;
        return new KefuPrincipal("agent:" + key, name, PrincipalRole.Agent, ConversationKey: null, Visitor: null);
    }
}
