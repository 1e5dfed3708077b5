// Many tabs, one socket: tabs share a fake BroadcastChannel hub and fake Web Locks; the leader's socket is a fake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusHub, FakeLocks, FakeSocket, flush } from '../test/fakes';
import { KefuClient } from './kefu-client';
import { MessageChannel } from './message-channel';
import { MemoryOutboxStore } from './outbox';

const welcome = (conn: string) => ({ t: 'welcome', v: 1, server: '1', conn, me: { id: 'v1', name: 'V', role: 'visitor' }, conv: 'c1', hb: 60000, ttl: 30000 });

function browser() {
  const hub = new BusHub();
  const locks = new FakeLocks();
  const store = new MemoryOutboxStore(); // one IndexedDB per origin
  const tab = (id: string) =>
    new KefuClient({
      endpoint: '/kefu', version: '1', tabId: id, busPort: hub.port, locks: locks as never, storage: null,
      outboxStore: store, orphanGraceMs: 10,
      linkEnv: { base: 'http://shop.test/', WebSocket: FakeSocket as never },
    });
  return { hub, tab, store };
}

const framesOf = (ws: FakeSocket, t: string) => ws.frames().filter((f) => f.t === t);

beforeEach(() => FakeSocket.reset());
afterEach(() => FakeSocket.reset());

describe('KefuClient across tabs', () => {
  it('ten tabs open one socket; every tab subscribes through it with its own c', async () => {
    const { tab } = browser();
    const tabs = Array.from({ length: 10 }, (_, i) => tab(`t${i}`));
    const chans = tabs.map((t) => new MessageChannel(t, 'conv:c1'));
    tabs.forEach((t) => t.start());
    await flush();
    expect(FakeSocket.all).toHaveLength(1);
    expect(tabs.filter((t) => t.isLeader)).toHaveLength(1);
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await flush();
    const subs = framesOf(ws, 'sub').map((f) => f.c).sort();
    expect(subs).toEqual(tabs.map((t) => t.tabId).sort());
    // a server op reaches every tab
    ws.receive({ t: 'op', ch: 'conv:c1', rev: 1, id: 'a-1', by: 'agent', ts: 1, op: { k: 'msg', text: 'hello', role: 'agent' } });
    await flush();
    expect(chans.every((c) => c.log.messages.length === 1)).toBe(true);
  });

  it('a follower submits through the leader; only it receives the ack', async () => {
    const { tab, store } = browser();
    const a = tab('tA');
    const b = tab('tB');
    const ca = new MessageChannel(a, 'conv:c1');
    const cb = new MessageChannel(b, 'conv:c1');
    a.start();
    await flush();
    b.start();
    await flush();
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await flush();
    const r = await cb.send('from B');
    await flush();
    expect(store.map.has(r.id)).toBe(true);
    expect(framesOf(ws, 'submit')).toEqual([{ t: 'submit', c: 'tB', ch: 'conv:c1', id: r.id, rev: 0, op: { k: 'msg', text: 'from B' } }]);
    expect(ca.items('v1')).toEqual([expect.objectContaining({ text: 'from B', status: 'sending' })]); // A shows B's pending message
    ws.receive({ t: 'ack', c: 'tZ', ch: 'conv:c1', id: r.id, rev: 1 }); // an ack for another logical client: ignored by every tab
    await flush();
    expect(store.map.has(r.id)).toBe(true);
    ws.receive({ t: 'ack', c: 'tB', ch: 'conv:c1', id: r.id, rev: 1 });
    await flush();
    expect(store.map.has(r.id)).toBe(false);
  });

  it('the leader refuses to relay a frame a tab sends for another tab', async () => {
    const { tab, hub } = browser();
    const a = tab('tA');
    a.start();
    await flush();
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await flush();
    hub.inject({ kv: 1, from: 'evil', k: 'up', f: { t: 'unsub', c: 'tA', ch: 'conv:c1' } });
    hub.inject({ kv: 1, from: 'evil', k: 'up', f: { t: 'hello', v: 1, client: 'x', agent: true } });
    hub.inject({ kv: 1, from: 'evil', k: 'down', d: '{"t":"op","ch":"conv:c1"}' });
    await flush();
    expect(ws.frames().filter((f) => f.t === 'unsub' || f.t === 'hello')).toHaveLength(1); // only our own hello
  });

  it('when the leader closes, another tab takes over, reconnects, resubscribes and resends unacked submits', async () => {
    const { tab, store } = browser();
    const a = tab('tA');
    const b = tab('tB');
    new MessageChannel(a, 'conv:c1');
    const cb = new MessageChannel(b, 'conv:c1');
    a.start();
    await flush();
    b.start();
    await flush();
    const ws1 = FakeSocket.last();
    ws1.receive(welcome('k1'));
    await flush();
    ws1.receive({ t: 'op', ch: 'conv:c1', rev: 1, id: 'x', by: 'agent', ts: 1, op: { k: 'msg', text: 'a', role: 'agent' } });
    await flush();
    const r = await cb.send('unacked');
    await flush();
    a.stop(); // leader tab closes
    await flush(10);
    expect(b.isLeader).toBe(true);
    expect(FakeSocket.all).toHaveLength(2);
    const ws2 = FakeSocket.last();
    ws2.receive(welcome('k2'));
    await flush(10);
    expect(framesOf(ws2, 'sub')).toEqual([{ t: 'sub', c: 'tB', ch: 'conv:c1', rev: 1 }]);
    expect(framesOf(ws2, 'submit')).toEqual([expect.objectContaining({ c: 'tB', id: r.id })]);
    expect(store.map.has(r.id)).toBe(true);
  });

  it('the new leader adopts and resends outbox records of a tab that is gone', async () => {
    const { tab, store } = browser();
    await store.put({ id: 'dead-1', ch: 'conv:c1', op: { k: 'msg', text: 'orphan' }, rev: 0, c: 'dead', createdAt: 1 });
    const a = tab('tA');
    a.start();
    await flush();
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await new Promise((r) => setTimeout(r, 30));
    expect(framesOf(ws, 'submit')).toEqual([{ t: 'submit', c: 'tA', ch: 'conv:c1', id: 'dead-1', rev: 0, op: { k: 'msg', text: 'orphan' } }]);
    expect(store.map.get('dead-1')?.c).toBe('tA');
  });

  it('after a reconnect, the leader resends the pending submits of every tab in the order they were written', async () => {
    const { tab, store } = browser();
    const a = tab('tA');
    const b = tab('tB');
    a.start();
    await flush();
    b.start();
    await flush();
    // written while offline, interleaved across the two tabs (and one from a tab that closed)
    await store.put({ id: 'old-1', ch: 'conv:c1', op: { k: 'msg', text: '1' }, rev: 0, c: 'tA', createdAt: 1 });
    await store.put({ id: 'old-2', ch: 'conv:c1', op: { k: 'msg', text: '2' }, rev: 0, c: 'tB', createdAt: 2 });
    await store.put({ id: 'old-3', ch: 'conv:c1', op: { k: 'msg', text: '3' }, rev: 0, c: 'tC', createdAt: 3 });
    await store.put({ id: 'old-4', ch: 'conv:c1', op: { k: 'msg', text: '4' }, rev: 0, c: 'tA', createdAt: 4 });
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    // a message written right now, while the outbox is being resent, goes after the older ones
    const r = await new MessageChannel(b, 'conv:c1').send('5');
    await new Promise((resolve) => setTimeout(resolve, 40));
    const submits = framesOf(ws, 'submit');
    const firsts = submits.filter((f, i) => submits.findIndex((g) => g.id === f.id) === i);
    expect(firsts.map((f) => [f.id, f.c])).toEqual([['old-1', 'tA'], ['old-2', 'tB'], ['old-3', 'tA'], ['old-4', 'tA'], [r.id, 'tB']]);
    expect(store.map.get('old-3')?.c).toBe('tA'); // adopted
  });

  it('knows whether any tab shows the open chat (for notifications)', async () => {
    const { tab } = browser();
    const a = tab('tA');
    const b = tab('tB');
    a.start();
    b.start();
    await flush();
    expect(a.attentive()).toBe(false);
    b.setAttention(true, true);
    await flush();
    expect(a.attentive()).toBe(true);
    b.stop();
    await flush();
    expect(a.attentive()).toBe(false);
  });

  it('a lost connection empties every presence list: nobody is shown online while that cannot be known', async () => {
    const { tab } = browser();
    const a = tab('tA');
    const ch = new MessageChannel(a, 'conv:c1');
    a.start();
    await flush();
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await flush();
    ws.receive({ t: 'presence', ch: 'conv:c1', list: [{ id: 'agent:alice', name: 'Alice', role: 'agent', c: 'x', s: {} }] });
    await flush();
    expect(ch.presenceList).toHaveLength(1);
    ws.serverClose(1006);
    await flush();
    expect(a.state).not.toBe('open');
    expect(ch.presenceList).toEqual([]);
    a.stop();
  });
});
