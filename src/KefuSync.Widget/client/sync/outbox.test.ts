import { describe, expect, it } from 'vitest';
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

  it('drain: a follower resends only its own records', async () => {
    const { a, b } = setup();
    await a.add('conv:x', 'a1', {}, 0);
    await b.add('conv:x', 'b1', {}, 0);
    expect((await a.drain(new Set(), false)).map((r) => r.id)).toEqual(['a1']);
  });

  it('drain: the leader adopts records of tabs that are gone, not of live ones', async () => {
    const { store, a, b } = setup();
    await b.add('conv:x', 'b1', {}, 0);
    await new Outbox(store, 'gone', () => 5).add('conv:x', 'g1', {}, 0);
    await a.add('conv:x', 'a1', {}, 0);
    const sent = await a.drain(new Set(['tabB']), true);
    expect(sent.map((r) => r.id).sort()).toEqual(['a1', 'g1']);
    expect(store.map.get('g1')!.c).toBe('tabA'); // adopted
    expect(store.map.get('b1')!.c).toBe('tabB');
    expect((await a.drain(new Set(['tabB']), true, false)).map((r) => r.id)).toEqual([]);
  });

  it('failed records are kept, shown, not drained; unfail brings them back', async () => {
    const { a } = setup();
    await a.add('conv:x', 'a1', {}, 0);
    await a.fail('a1', 'invalid_op');
    expect((await a.all())[0].err).toBe('invalid_op');
    expect(await a.drain(new Set(), true)).toEqual([]);
    await a.unfail('a1');
    expect((await a.drain(new Set(), true)).map((r) => r.id)).toEqual(['a1']);
  });

  it('retry delays grow per record and are capped', async () => {
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
