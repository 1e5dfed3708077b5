// Every request ends exactly once: reply, error, offline or timeout; and nothing is left behind afterwards.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TabFrame } from '../protocol/client-frames';
import { ErrorCode } from '../protocol/error-codes';
import type { ErrorFrame } from '../protocol/server-frames';
import { LocalErrorCode } from './local-errors';
import { RequestTracker } from './request-tracker';

function tracker(connected = true, timeoutMs = 1000) {
  const sent: TabFrame[] = [];
  let n = 0;
  const t = new RequestTracker(() => `q${++n}`, (f) => (connected ? (sent.push(f), true) : false), timeoutMs);
  return { t, sent };
}
const history = (q: string) => ({ t: 'history' as const, ch: 'conv:a', q, ops: [] });
const list = (q: string) => ({ t: 'list' as const, q, rev: 3, items: [] });
const error = (q: string): ErrorFrame => ({ t: 'error', code: ErrorCode.StoreUnavailable, msg: 'down', retry: true, q });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('RequestTracker', () => {
  it('sends the frame with a fresh q and resolves with the reply that echoes it', async () => {
    const { t, sent } = tracker();
    const p = t.request('history', (q) => ({ t: 'history', ch: 'conv:a', rev: 9, n: 5, q }));
    expect(sent).toEqual([{ t: 'history', ch: 'conv:a', rev: 9, n: 5, q: 'q1' }]);
    expect(t.reply(history('q2'))).toBe(false); // not ours
    expect(t.reply(history('q1'))).toBe(true);
    await expect(p).resolves.toEqual(history('q1'));
    expect(t.reply(history('q1'))).toBe(false); // answered once only
  });

  it('does not resolve a request with a reply of another type', async () => {
    const { t } = tracker();
    const p = t.request('list', (q) => ({ t: 'list', q }));
    expect(t.reply(history('q1'))).toBe(false);
    expect(t.reply(list('q1'))).toBe(true);
    await expect(p).resolves.toMatchObject({ t: 'list', rev: 3 });
  });

  it('rejects with the error frame that names its q', async () => {
    const { t } = tracker();
    const p = t.request('list', (q) => ({ t: 'list', q }));
    expect(t.fail(error('q9'))).toBe(false);
    expect(t.fail(error('q1'))).toBe(true);
    await expect(p).rejects.toMatchObject({ code: ErrorCode.StoreUnavailable });
  });

  it('rejects at once, offline, when the frame cannot be sent', async () => {
    const { t } = tracker(false);
    await expect(t.request('list', (q) => ({ t: 'list', q }))).rejects.toMatchObject({ code: LocalErrorCode.Offline, retry: true });
  });

  it('rejects every pending request, offline, when the connection goes', async () => {
    const { t } = tracker();
    const a = t.request('list', (q) => ({ t: 'list', q }));
    const b = t.request('history', (q) => ({ t: 'history', ch: 'conv:a', rev: 1, n: 1, q }));
    t.cancelAll();
    await expect(a).rejects.toMatchObject({ code: LocalErrorCode.Offline });
    await expect(b).rejects.toMatchObject({ code: LocalErrorCode.Offline });
    expect(t.reply(list('q1'))).toBe(false);
  });

  it('rejects, timeout, when no reply comes; a late reply then finds nothing', async () => {
    const { t } = tracker(true, 1000);
    const p = t.request('list', (q) => ({ t: 'list', q }));
    const settled = vi.fn();
    p.catch(settled);
    await vi.advanceTimersByTimeAsync(999);
    expect(settled).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).rejects.toMatchObject({ code: LocalErrorCode.Timeout, retry: true });
    expect(t.reply(list('q1'))).toBe(false);
  });
});
