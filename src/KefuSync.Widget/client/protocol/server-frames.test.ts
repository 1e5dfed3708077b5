// What the client accepts from the server (or from the leader's relay): protocol §2.2 frames, unknown members ignored.
import { describe, expect, it } from 'vitest';
import { parseServerFrame } from './server-frames';

const welcome = {
  t: 'welcome', v: 1, server: '0.1.0', conn: 'k3', me: { id: 'a_9f', name: 'Visitor', role: 'visitor' },
  token: 'tok', conv: 'Q2x', hb: 20000, ttl: 30000, limits: { maxFrame: 65536, maxText: 4000 },
};

describe('parseServerFrame', () => {
  it('accepts the frames of the protocol examples', () => {
    expect(parseServerFrame(JSON.stringify(welcome))?.t).toBe('welcome');
    const op = { t: 'op', ch: 'conv:Q2x', rev: 1, id: 'tab1-1', by: 'a_9f', ts: 1795000000000, op: { k: 'msg', text: '你好' } };
    expect(parseServerFrame(JSON.stringify(op))).toEqual(op);
    expect(parseServerFrame('{"t":"ack","c":"tab1","ch":"conv:Q2x","id":"tab1-1","rev":1,"dup":true}')?.t).toBe('ack');
    expect(parseServerFrame('{"t":"subbed","ch":"conv:Q2x","rev":0}')?.t).toBe('subbed');
    expect(parseServerFrame('{"t":"snapshot","ch":"vdraft:Q2x","rev":3,"doc":"hi"}')?.t).toBe('snapshot');
    expect(parseServerFrame('{"t":"presence","ch":"site","list":[{"id":"u","name":"A","role":"agent","c":"x","s":null}]}')?.t).toBe('presence');
    expect(parseServerFrame('{"t":"pong"}')?.t).toBe('pong');
  });

  it('accepts a visitor welcome with its availability (§2.4)', () => {
    const avail = { open: false, back: 1795000000000, next: 1795000000000, out: 'form', ask: 'optional' };
    const f = parseServerFrame(JSON.stringify({ ...welcome, avail }));
    expect(f?.t === 'welcome' ? f.avail : null).toEqual(avail);
  });

  it('ignores unknown members (forward compatible)', () => {
    expect(parseServerFrame('{"t":"subbed","ch":"site","rev":0,"future":[1,2]}')?.t).toBe('subbed');
  });

  it('normalizes an error frame without retry to retry: false', () => {
    const e = parseServerFrame('{"t":"error","code":"forbidden","msg":"no"}');
    expect(e).toMatchObject({ t: 'error', code: 'forbidden', retry: false });
  });

  it.each([
    ['not JSON', '{"t":'],
    ['not an object', '[1,2]'],
    ['no type', '{"ch":"site"}'],
    ['unknown type', '{"t":"launch"}'],
    ['negative rev', '{"t":"subbed","ch":"conv:a","rev":-1}'],
    ['fractional rev', '{"t":"subbed","ch":"conv:a","rev":1.5}'],
    ['bad channel', '{"t":"subbed","ch":"conv:<script>","rev":1}'],
    ['op rev 0', '{"t":"op","ch":"conv:a","rev":0,"id":"x","by":"u","ts":1,"op":{}}'],
    ['op without op', '{"t":"op","ch":"conv:a","rev":1,"id":"x","by":"u","ts":1}'],
    ['ack with bad client id', '{"t":"ack","c":"a b","ch":"conv:a","id":"x","rev":1}'],
    ['ack with a space in the op id (the server refuses such ids too)', '{"t":"ack","c":"a","ch":"conv:a","id":"a 1","rev":1}'],
    ['welcome of another version', JSON.stringify({ ...welcome, v: 2 })],
    ['welcome without me', JSON.stringify({ ...welcome, me: 'x' })],
    ['welcome with an unknown outside-hours mode', JSON.stringify({ ...welcome, avail: { open: false, out: 'later', ask: 'off' } })],
    ['welcome with avail.open not a boolean', JSON.stringify({ ...welcome, avail: { open: 'no', out: 'form', ask: 'off' } })],
    ['presence list not array', '{"t":"presence","ch":"site","list":{}}'],
    ['presence entry without role', '{"t":"presence","ch":"site","list":[{"id":"u","name":"A","c":"x"}]}'],
    ['history op of another channel', '{"t":"history","ch":"conv:a","ops":[{"ch":"conv:b","rev":1,"id":"x","by":"u","ts":1,"op":{}}]}'],
  ])('rejects %s', (_, text) => {
    expect(parseServerFrame(text)).toBeNull();
  });

  it('rejects non-strings and oversized text', () => {
    expect(parseServerFrame(42)).toBeNull();
    expect(parseServerFrame('{"t":"pong","q":"' + 'x'.repeat(5 * 1024 * 1024) + '"}')).toBeNull();
  });

  it('takes an avail frame only with a well-formed avail (protocol §2.4)', () => {
    expect(parseServerFrame('{"t":"avail","avail":{"open":false,"back":1767254400000,"out":"form","ask":"optional"}}')).toMatchObject({ t: 'avail', avail: { open: false, out: 'form' } });
    expect(parseServerFrame('{"t":"avail","avail":{"open":"no","out":"form","ask":"optional"}}')).toBeNull();
    expect(parseServerFrame('{"t":"avail"}')).toBeNull();
  });
});
