// `sub` frames: from the last applied revision, tail subscribes, the per-channel gap throttle, and safe detach.
import { describe, expect, it, vi } from 'vitest';
import type { TabFrame } from '../protocol/client-frames';
import type { ChannelHandler } from './channel-handler';
import { Subscriptions } from './subscriptions';

const handler = (ch: string, rev = 0, tail?: number): ChannelHandler => ({
  ch, rev, ...(tail ? { tail } : {}),
  op: vi.fn(), snapshot: vi.fn(), subbed: vi.fn(), ack: vi.fn(), error: vi.fn(), presence: vi.fn(), resubscribed: vi.fn(),
});

function subs() {
  const sent: TabFrame[] = [];
  return { s: new Subscriptions('me', (f) => (sent.push(f), true)), sent };
}

describe('Subscriptions', () => {
  it('subscribes from the last applied revision, or a tail when there is none yet', () => {
    const { s, sent } = subs();
    s.add(handler('conv:a', 0, 50));
    s.add(handler('conv:b', 7, 50));
    s.add(handler('draft:a', 0));
    s.subscribeAll();
    expect(sent).toEqual([
      { t: 'sub', c: 'me', ch: 'conv:a', rev: 0, n: 50 },
      { t: 'sub', c: 'me', ch: 'conv:b', rev: 7 },
      { t: 'sub', c: 'me', ch: 'draft:a', rev: 0 },
    ]);
  });

  it('resubscribes a channel at most once a second unless forced', () => {
    const { s, sent } = subs();
    s.add(handler('conv:a', 3));
    s.resubscribe('conv:a', false, 10_000);
    s.resubscribe('conv:a', false, 10_500);
    s.resubscribe('conv:a', true, 10_600);
    s.resubscribe('conv:a', false, 11_600);
    s.resubscribe('conv:none', true, 12_000);
    expect(sent).toHaveLength(3);
  });

  it('a gap inside the throttle window is answered when the window ends, never dropped', () => {
    // The replay of the first sub can end before a live op committed after it; that op arrived early and was dropped
    // as a gap. With no later op, only the owed sub brings it: dropping it left the channel stuck (a close never shown).
    vi.useFakeTimers();
    try {
      const { s, sent } = subs();
      s.add(handler('conv:a', 3));
      s.resubscribe('conv:a', false, Date.now());
      vi.advanceTimersByTime(200);
      s.resubscribe('conv:a', false, Date.now());
      s.resubscribe('conv:a', false, Date.now()); // owed once, not twice
      expect(sent).toHaveLength(1);
      vi.advanceTimersByTime(800);
      expect(sent).toEqual([
        { t: 'sub', c: 'me', ch: 'conv:a', rev: 3 },
        { t: 'sub', c: 'me', ch: 'conv:a', rev: 3 },
      ]);
      vi.advanceTimersByTime(5000);
      expect(sent).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a stale detach does not remove the handler that took the channel since', () => {
    const { s } = subs();
    const old = handler('conv:a');
    const now = handler('conv:a');
    s.add(old);
    s.add(now);
    expect(s.remove(old)).toBe(false);
    expect(s.get('conv:a')).toBe(now);
    expect(s.remove(now)).toBe(true);
    expect(s.get('conv:a')).toBeUndefined();
  });
});
