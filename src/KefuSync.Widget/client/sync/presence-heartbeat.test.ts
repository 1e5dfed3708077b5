// Presence lives while it is repeated: every ttl/3 after a welcome, never while disconnected, not after removal.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresenceHeartbeat } from './presence-heartbeat';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PresenceHeartbeat', () => {
  it('sends a state at once, again after a welcome, then every ttl/3 until paused', () => {
    const sent: Array<[string, unknown]> = [];
    const hb = new PresenceHeartbeat((ch, s) => sent.push([ch, s]));
    hb.set('site', { p: '/' });
    hb.set('conv:a', { typing: false });
    hb.set('conv:a', null); // removed: sent once as null, never repeated
    expect(sent).toHaveLength(3);
    hb.resume(30000);
    expect(sent.slice(3)).toEqual([['site', { p: '/' }]]);
    vi.advanceTimersByTime(10000);
    expect(sent).toHaveLength(5);
    hb.forget('site');
    vi.advanceTimersByTime(10000);
    expect(sent).toHaveLength(5);
    hb.set('site', { p: '/b' });
    hb.pause();
    vi.advanceTimersByTime(60000);
    expect(sent).toHaveLength(6);
  });

  it('repeats at least every second whatever ttl the server gives', () => {
    const sent: unknown[] = [];
    const hb = new PresenceHeartbeat((_, s) => sent.push(s));
    hb.set('site', 1);
    hb.resume(300);
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(3);
  });
});
