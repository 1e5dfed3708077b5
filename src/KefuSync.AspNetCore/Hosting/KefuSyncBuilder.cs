using Microsoft.Extensions.DependencyInjection;

namespace KefuSync.Hosting;

internal sealed class KefuSyncBuilder(IServiceCollection services) : IKefuSyncBuilder
{
    public IServiceCollection Services { get; } = services;
}
