// The leader's resend after a welcome: writing order across tabs, live tabs keep their `c`, gone tabs' records are
// adopted, failed ones stay put, unknown writers get a grace period, and a drain stops once its connection is gone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SubmitFrame } from '../protocol/client-frames';
import { ErrorCode } from '../protocol/error-codes';
import { MemoryOutboxStore, Outbox } from './outbox';
import { OutboxDrain } from './outbox-drain';

function setup(live: string[], gone: string[] = []) {
  const store = new MemoryOutboxStore();
  const outbox = new Outbox(store, 'lead');
  const adopted = vi.fn();
  const drain = new OutboxDrain({ outbox, isLive: (c) => c === 'lead' || live.includes(c), isGone: (c) => gone.includes(c), adopted, upload: () => Promise.reject(new Error('no files here')) }, 100);
  const put = (id: string, c: string, createdAt: number, err?: string) =>
    store.put({ id, ch: 'conv:a', op: { k: 'msg', text: id }, rev: 0, c, createdAt, ...(err ? { err } : {}) });
  const sent: SubmitFrame[] = [];
  return { store, drain, put, sent, adopted, send: (f: SubmitFrame) => sent.push(f) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('OutboxDrain', () => {
  it('resends in writing order; a live tab keeps its c, a gone tab is adopted at once; failed records stay', async () => {
    const { store, drain, put, sent, adopted, send } = setup(['t1'], ['dead']);
    await put('m1', 't1', 1);
    await put('m2', 'dead', 2);
    await put('m3', 'lead', 3);
    await put('m4', 't1', 4, ErrorCode.InvalidOp);
    drain.start(send, () => true);
    expect(drain.gate).not.toBeNull();
    await vi.runAllTimersAsync();
    expect(sent.map((f) => [f.id, f.c])).toEqual([['m1', 't1'], ['m2', 'lead'], ['m3', 'lead']]);
    expect(store.map.get('m2')?.c).toBe('lead');
    expect(adopted).toHaveBeenCalledOnce();
    expect(drain.gate).toBeNull();
  });

  it('waits the grace period before adopting the records of a tab it has not heard of', async () => {
    const { drain, put, sent, send } = setup([]);
    await put('m1', 'unknown', 1);
    drain.start(send, () => true);
    await vi.advanceTimersByTimeAsync(99);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((f) => [f.id, f.c])).toEqual([['m1', 'lead']]);
  });

  it('sends nothing once its connection is no longer current', async () => {
    const { drain, put, sent, send } = setup(['t1']);
    await put('m1', 't1', 1);
    drain.start(send, () => false);
    await vi.runAllTimersAsync();
    expect(sent).toEqual([]);
  });
});
