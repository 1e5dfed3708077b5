// Which tabs are alive and looking: `hi`, `gone`, `who`, expiry, and the attention the leader notifies by.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BusBody, BusMessage } from './tab-bus';
import { HI_EVERY_MS, TAB_EXPIRES_MS, TabRoster } from './tab-roster';

const msg = (from: string, body: BusBody): BusMessage => ({ ...body, kv: 1, from });

function roster() {
  const posted: BusBody[] = [];
  const events = { changed: vi.fn(), joined: vi.fn(), vanished: vi.fn() };
  const r = new TabRoster('me', { post: (b) => posted.push(b), ...events }, () => Date.now());
  return { r, posted, ...events };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('TabRoster', () => {
  it('learns tabs from hi, tells a new one apart, and forgets a tab that said gone', () => {
    const { r, joined } = roster();
    r.receive(msg('b', { k: 'hi', vis: true, open: false }));
    r.receive(msg('b', { k: 'hi', vis: true, open: true }));
    expect(joined).toHaveBeenCalledOnce();
    expect(r.isLive('b')).toBe(true);
    expect(r.isLive('me')).toBe(true);
    r.receive(msg('b', { k: 'gone' }));
    expect(r.isLive('b')).toBe(false);
    expect(r.isGone('b')).toBe(true);
    expect(r.isGone('c')).toBe(false);
  });

  it('answers who with hi at once', () => {
    const { r, posted } = roster();
    r.receive(msg('leader', { k: 'who' }));
    expect(posted).toEqual([{ k: 'hi', vis: false, open: false }]);
    expect(r.isLive('leader')).toBe(true);
  });

  it('says hi on start and every few seconds, and drops a tab that stopped saying it', () => {
    const { r, posted, vanished } = roster();
    r.start();
    r.receive(msg('b', { k: 'hi', vis: false, open: false }));
    expect(posted).toHaveLength(1);
    vi.advanceTimersByTime(HI_EVERY_MS);
    expect(posted).toHaveLength(2);
    vi.advanceTimersByTime(TAB_EXPIRES_MS);
    expect(vanished).toHaveBeenCalledWith('b');
    expect(r.isLive('b')).toBe(false);
    const before = posted.length;
    r.stop();
    vi.advanceTimersByTime(HI_EVERY_MS * 3);
    expect(posted).toHaveLength(before);
  });

  it('is attentive when any tab, this one included, is visible with the chat open', () => {
    const { r, changed } = roster();
    expect(r.attentive()).toBe(false);
    r.receive(msg('b', { k: 'hi', vis: true, open: false }));
    expect(r.attentive()).toBe(false);
    r.receive(msg('b', { k: 'hi', vis: true, open: true }));
    expect(r.attentive()).toBe(true);
    r.receive(msg('b', { k: 'gone' }));
    r.setAttention(true, true);
    expect(r.attentive()).toBe(true);
    changed.mockClear();
    r.setAttention(true, true); // no change, no event
    expect(changed).not.toHaveBeenCalled();
  });
});
