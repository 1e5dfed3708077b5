// The outbox's records: written before sending, removed on confirmation, kept (and shown) when refused for good.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../protocol/error-codes';
import { MemoryOutboxStore, Outbox, retryDelay } from './outbox';

const setup = () => {
  const store = new MemoryOutboxStore();
  let t = 1000;
  const now = () => ++t;
  return { store, a: new Outbox(store, 'tabA', now), b: new Outbox(store, 'tabB', now) };
};

describe('Outbox', () => {
  it('writes a record before sending and removes it on settle', async () => {
    const { store, a } = setup();
    const r = await a.add('conv:x', 'tabA-1', { k: 'msg', text: 'hi' }, 4);
    expect(r).toMatchObject({ id: 'tabA-1', ch: 'conv:x', rev: 4, c: 'tabA' });
    expect(store.map.has('tabA-1')).toBe(true);
    await a.settle('tabA-1');
    expect(store.map.size).toBe(0);
  });

  it('lists records oldest first, per channel', async () => {
    const { a, b } = setup();
    await a.add('conv:x', 'a1', {}, 0);
    await b.add('conv:y', 'b1', {}, 0);
    await a.add('conv:x', 'a2', {}, 0);
    expect((await a.all('conv:x')).map((r) => r.id)).toEqual(['a1', 'a2']);
    expect((await a.all()).map((r) => r.id)).toEqual(['a1', 'b1', 'a2']);
  });

  it('failed records are kept with their code; unfail clears it and makes this tab responsible', async () => {
    const { a, b } = setup();
    await b.add('conv:x', 'b1', {}, 0);
    await a.fail('b1', ErrorCode.InvalidOp);
    expect((await a.all())[0]).toMatchObject({ id: 'b1', c: 'tabB', err: ErrorCode.InvalidOp });
    const back = await a.unfail('b1');
    expect(back).toMatchObject({ id: 'b1', c: 'tabA' });
    expect((await a.all()).map((r) => r.err)).toEqual([undefined]);
    expect(await a.unfail('nope')).toBeNull();
  });

  it('retry delays grow per record and are capped', () => {
    const { a } = setup();
    expect([a.nextRetryDelay('x'), a.nextRetryDelay('x'), a.nextRetryDelay('x')]).toEqual([1000, 2000, 4000]);
    expect(a.nextRetryDelay('y')).toBe(1000);
    expect(retryDelay(40)).toBe(30000);
  });

  it('ignores malformed records in storage', async () => {
    const { store, a } = setup();
    store.map.set('junk', { id: 'junk' } as never);
    await a.add('conv:x', 'a1', {}, 0);
    expect((await a.all()).map((r) => r.id)).toEqual(['a1']);
  });
});
