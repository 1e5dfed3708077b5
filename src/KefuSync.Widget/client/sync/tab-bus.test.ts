import { describe, expect, it, vi } from 'vitest';
import { BusHub, flush } from '../test/fakes';
import { TabBus, validateBusMessage } from './tab-bus';

describe('validateBusMessage', () => {
  it('accepts well-formed messages of every kind', () => {
    expect(validateBusMessage({ kv: 1, from: 'tabA', k: 'hi', vis: true, open: false })).toEqual({ kv: 1, from: 'tabA', k: 'hi', vis: true, open: false });
    expect(validateBusMessage({ kv: 1, from: 'tabA', k: 'up', f: { t: 'sub', c: 'tabA', ch: 'conv:x', rev: 0 } })).not.toBeNull();
    expect(validateBusMessage({ kv: 1, from: 'L', k: 'down', d: '{"t":"pong"}' })).not.toBeNull();
    expect(validateBusMessage({ kv: 1, from: 'L', k: 'state', s: 'open', w: '{}' })).not.toBeNull();
    for (const k of ['gone', 'who', 'ob', 'dr']) expect(validateBusMessage({ kv: 1, from: 'a', k })).not.toBeNull();
  });

  it.each([
    ['null', null],
    ['a string', 'hi'],
    ['an array', [1]],
    ['another tab protocol version', { kv: 2, from: 'a', k: 'gone' }],
    ['no version', { from: 'a', k: 'gone' }],
    ['a sender id with bad characters', { kv: 1, from: 'a b', k: 'gone' }],
    ['a huge sender id', { kv: 1, from: 'a'.repeat(65), k: 'gone' }],
    ['an unknown kind', { kv: 1, from: 'a', k: 'eval' }],
    ['hi with non-boolean flags', { kv: 1, from: 'a', k: 'hi', vis: 'yes', open: false }],
    ['up speaking for another tab', { kv: 1, from: 'a', k: 'up', f: { t: 'sub', c: 'b', ch: 'conv:x', rev: 0 } }],
    ['up with hello', { kv: 1, from: 'a', k: 'up', f: { t: 'hello', v: 1, client: 'x' } }],
    ['up with a malformed frame', { kv: 1, from: 'a', k: 'up', f: { t: 'submit', c: 'a', ch: 'conv:x', id: '', rev: 0, op: {} } }],
    ['down that is not text', { kv: 1, from: 'a', k: 'down', d: { t: 'op' } }],
    ['down too large', { kv: 1, from: 'a', k: 'down', d: 'x'.repeat(4 * 1024 * 1024 + 1) }],
    ['state unknown', { kv: 1, from: 'a', k: 'state', s: 'exploded' }],
    ['state with a non-text welcome', { kv: 1, from: 'a', k: 'state', s: 'open', w: { t: 'welcome' } }],
  ])('rejects %s', (_, m) => {
    expect(validateBusMessage(m)).toBeNull();
  });
});

describe('TabBus', () => {
  it('delivers valid messages of other tabs only, and drops forged ones without throwing', async () => {
    const hub = new BusHub();
    const a = new TabBus('kefu:/kefu', 'tabA', hub.port);
    const b = new TabBus('kefu:/kefu', 'tabB', hub.port);
    const gotA = vi.fn();
    const gotB = vi.fn();
    a.on(gotA);
    b.on(gotB);
    a.post({ k: 'hi', vis: true, open: true });
    hub.inject({ kv: 1, from: 'tabB', k: 'hi', vis: true, open: true }); // pretends to be B: A accepts, B ignores its "own"
    hub.inject({ kv: 1, from: 'evil', k: 'up', f: { t: 'bye', c: 'tabA' } });
    hub.inject(undefined);
    hub.inject({ kv: 1, from: 'x', k: 'hi', vis: true, open: { toString: 1 } });
    await flush();
    expect(gotB).toHaveBeenCalledTimes(1);
    expect(gotB.mock.calls[0]?.[0]).toMatchObject({ from: 'tabA', k: 'hi', kv: 1 });
    expect(gotA).toHaveBeenCalledTimes(1);
    expect(gotA.mock.calls[0]?.[0]).toMatchObject({ from: 'tabB' });
  });
});
