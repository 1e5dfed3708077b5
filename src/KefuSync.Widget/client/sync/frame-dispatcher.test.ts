// The routing rules: channel frames by `ch`, acks and errors only for this tab, replies to their request.
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../protocol/error-codes';
import type { ErrorFrame } from '../protocol/server-frames';
import type { ChannelHandler } from './channel-handler';
import { FrameDispatcher } from './frame-dispatcher';
import { RequestTracker } from './request-tracker';

function setup() {
  const h = { ch: 'conv:a', rev: 0, op: vi.fn(), snapshot: vi.fn(), subbed: vi.fn(), ack: vi.fn(), error: vi.fn(), presence: vi.fn(), resubscribed: vi.fn() };
  const requests = new RequestTracker(() => 'q1', () => true);
  const unclaimed = vi.fn();
  const d = new FrameDispatcher({ tabId: 'me', handler: (ch): ChannelHandler | undefined => (ch === h.ch ? h : undefined), requests, unclaimed });
  return { h, requests, unclaimed, d };
}
const err = (o: Partial<ErrorFrame>): ErrorFrame => ({ t: 'error', code: ErrorCode.Forbidden, msg: '', retry: false, ...o });

describe('FrameDispatcher', () => {
  it('routes channel frames to the handler of their channel, and drops those of channels not attached', () => {
    const { h, d } = setup();
    d.dispatch({ t: 'op', ch: 'conv:a', rev: 1, id: 'x', by: 'u', ts: 1, op: {} });
    d.dispatch({ t: 'snapshot', ch: 'conv:a', rev: 1 });
    d.dispatch({ t: 'subbed', ch: 'conv:a', rev: 1 });
    d.dispatch({ t: 'presence', ch: 'conv:a', list: [] });
    d.dispatch({ t: 'op', ch: 'conv:other', rev: 1, id: 'x', by: 'u', ts: 1, op: {} });
    expect([h.op, h.snapshot, h.subbed, h.presence].map((f) => f.mock.calls.length)).toEqual([1, 1, 1, 1]);
  });

  it('passes on only the acks of this tab', () => {
    const { h, d } = setup();
    d.dispatch({ t: 'ack', c: 'other', ch: 'conv:a', id: 'x', rev: 1 });
    expect(h.ack).not.toHaveBeenCalled();
    d.dispatch({ t: 'ack', c: 'me', ch: 'conv:a', id: 'x', rev: 1 });
    expect(h.ack).toHaveBeenCalledOnce();
  });

  it('gives an error to its request, else its channel, else the client; never another tab\'s', async () => {
    const { h, d, requests, unclaimed } = setup();
    const p = requests.request('list', (q) => ({ t: 'list', q }));
    d.dispatch(err({ c: 'other', ch: 'conv:a', id: 'x' }));
    d.dispatch(err({ q: 'q1' }));
    await expect(p).rejects.toMatchObject({ q: 'q1' });
    d.dispatch(err({ c: 'me', ch: 'conv:a', id: 'x' }));
    d.dispatch(err({ ch: 'conv:gone' }));
    expect(h.error).toHaveBeenCalledOnce();
    expect(unclaimed).toHaveBeenCalledOnce();
  });

  it('resolves replies through the request tracker', async () => {
    const { d, requests } = setup();
    const p = requests.request('history', (q) => ({ t: 'history', ch: 'conv:a', rev: 5, n: 2, q }));
    d.dispatch({ t: 'history', ch: 'conv:a', q: 'q1', ops: [] });
    await expect(p).resolves.toMatchObject({ t: 'history', q: 'q1' });
  });
});
