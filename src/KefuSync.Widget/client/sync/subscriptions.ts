// The channels this tab has attached, and the `sub` frames that keep them subscribed: on attach when connected, for
// every channel after each welcome (a new connection knows nothing of the old one's subscriptions), and again from the
// last applied revision when a channel sees a gap.
import type { TabFrame } from '../protocol/client-frames';
import type { ChannelHandler } from './channel-handler';

/**
 * A gap resubscribes at most this often per channel: a burst of out-of-order ops (a replay racing live ops) would
 * otherwise send one `sub`, and get one full replay, per op. A gap inside the window is answered when it ends.
 */
const RESUBSCRIBE_EVERY_MS = 1000;

export class Subscriptions {
  private readonly handlers = new Map<string, ChannelHandler>();
  private readonly resubAt = new Map<string, number>();
  /** channels owed a `sub` for a gap inside the throttle window, sent when the window ends */
  private readonly owed = new Set<string>();

  constructor(
    private readonly tabId: string,
    private readonly send: (f: TabFrame) => boolean,
  ) {}

  get(ch: string): ChannelHandler | undefined {
    return this.handlers.get(ch);
  }

  all(): Iterable<ChannelHandler> {
    return this.handlers.values();
  }

  add(h: ChannelHandler): void {
    this.handlers.set(h.ch, h);
  }

  /** Forgets `h`; false when another handler has taken its channel since (its detach must not remove that one). */
  remove(h: ChannelHandler): boolean {
    if (this.handlers.get(h.ch) !== h) return false;
    this.handlers.delete(h.ch);
    this.resubAt.delete(h.ch);
    return true;
  }

  /** Sends `sub` from the handler's revision (a tail subscribe when it has nothing yet and wants only the last ops). */
  subscribe(h: ChannelHandler): void {
    h.resubscribed();
    const rev = h.rev;
    this.send(rev === 0 && h.tail ? { t: 'sub', c: this.tabId, ch: h.ch, rev, n: h.tail } : { t: 'sub', c: this.tabId, ch: h.ch, rev });
  }

  subscribeAll(): void {
    for (const h of this.handlers.values()) this.subscribe(h);
  }

  /** After a gap: `sub` again, throttled per channel unless `force` (a reset that must have its snapshot). */
  resubscribe(ch: string, force: boolean, now: number): void {
    const h = this.handlers.get(ch);
    if (!h) return;
    const wait = force ? 0 : (this.resubAt.get(ch) ?? -RESUBSCRIBE_EVERY_MS) + RESUBSCRIBE_EVERY_MS - now;
    if (wait > 0) {
      // Deferred, never dropped: the replay of the `sub` just sent may end before the op this gap lacks (a live op
      // committed after it), and if no op follows, nothing else would ever ask for it. (A removed channel: no-op.)
      if (!this.owed.has(ch)) {
        this.owed.add(ch);
        setTimeout(() => {
          this.owed.delete(ch);
          this.resubscribe(ch, false, Date.now());
        }, wait);
      }
      return;
    }
    this.resubAt.set(ch, now);
    this.subscribe(h);
  }

}
