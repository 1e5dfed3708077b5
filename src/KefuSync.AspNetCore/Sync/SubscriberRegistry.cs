using System.Collections.Concurrent;

namespace KefuSync.Sync;

/// <summary>
/// Which local subscriptions each channel has. Delivery reads a copy-on-write array, so fan-out takes no lock and
/// allocates nothing per recipient.
/// </summary>
internal sealed class SubscriberRegistry
{
    private readonly ConcurrentDictionary<string, ChannelSubscription[]> _channels = new(StringComparer.Ordinal);

    public void Add(ChannelSubscription subscription)
    {
        _channels.AddOrUpdate(
            subscription.Channel.Value,
            static (_, s) => [s],
            static (_, existing, s) => [.. existing, s],
            subscription);
    }

    public void Remove(ChannelSubscription subscription)
    {
        while (_channels.TryGetValue(subscription.Channel.Value, out var existing))
        {
            var index = Array.IndexOf(existing, subscription);
            if (index < 0)
            {
                return;
            }

            if (existing.Length == 1)
            {
                if (_channels.TryRemove(new KeyValuePair<string, ChannelSubscription[]>(subscription.Channel.Value, existing)))
                {
                    return;
                }

                continue;
            }

            var next = new ChannelSubscription[existing.Length - 1];
            Array.Copy(existing, 0, next, 0, index);
            Array.Copy(existing, index + 1, next, index, existing.Length - index - 1);
            if (_channels.TryUpdate(subscription.Channel.Value, next, existing))
            {
                return;
            }
        }
    }

    public ChannelSubscription[] Get(string channel) => _channels.TryGetValue(channel, out var subs) ? subs : [];

    public ICollection<string> Channels => _channels.Keys;
}
