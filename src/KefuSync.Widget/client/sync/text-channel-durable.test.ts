// The visitor's draft across a closed tab (issue 15, bug 1): every queued edit is in the outbox store, and the draft
// cleared by a send is written in the same store write as the message, so a reopened page shows what was in the box:
// never a sent message again, never less than was typed.
import { describe, expect, it } from 'vitest';
import { fromJSON, type TextOperation, transform } from '../ot/text-operation';
import type { TabFrame } from '../protocol/client-frames';
import { BusHub, FakeLocks, FakeSocket, flush } from '../test/fakes';
import { KefuClient } from './kefu-client';
import { MemoryOutboxStore } from './outbox';
import { TextChannel } from './text-channel';

const CH = 'vdraft:c1';

/** One text channel on a server as protocol §4.1 has it: id dedupe, transform from the base, snapshot for `sub` 0. */
class TextServer {
  doc = '';
  ops: Array<{ id: string; op: TextOperation }> = [];
  submit(f: { id: string; rev: number; op: unknown }): { rev: number; id: string; op?: TextOperation } {
    const seen = this.ops.findIndex((o) => o.id === f.id);
    if (seen >= 0) return { rev: seen + 1, id: f.id };
    let op = fromJSON(f.op);
    for (const o of this.ops.slice(f.rev)) op = transform(o.op, op)[1];
    this.doc = op.apply(this.doc);
    this.ops.push({ id: f.id, op });
    return { rev: this.ops.length, id: f.id, op };
  }
}

/** A tab whose frames go nowhere until `deliver` (offline: the browser holds them), over a shared store. */
function tab(store: MemoryOutboxStore, id: string, locks: unknown = null) {
  const client = new KefuClient({ endpoint: '/kefu', version: '1', tabId: id, busPort: new BusHub().port, outboxStore: store, locks: locks as never, storage: null, linkEnv: { base: 'http://shop.test/', WebSocket: FakeSocket as never } });
  const held: TabFrame[] = [];
  client.state = 'open';
  client.send = (f: TabFrame) => {
    held.push(f);
    return true;
  };
  return { client, held };
}

/** Delivers a tab's frames to the server and its answers to the channel, until nothing more is sent. */
async function serve(server: TextServer, held: TabFrame[], t: TextChannel | null): Promise<void> {
  for (let round = 0; round < 20 && held.length; round++) {
    const frames = held.splice(0);
    for (const f of frames) {
      if (f.t === 'sub' && f.ch === CH && t) {
        if (f.rev === 0) t.snapshot({ t: 'snapshot', ch: CH, rev: server.ops.length, doc: server.doc });
        else server.ops.slice(f.rev).forEach((o, i) => t.op({ t: 'op', ch: CH, rev: f.rev + i + 1, id: o.id, by: 'v', ts: 1, op: o.op.toJSON() }));
        t.subbed();
      } else if (f.t === 'submit' && f.ch === CH) {
        const r = server.submit(f);
        if (t) t.ack({ t: 'ack', c: f.c, ch: CH, id: r.id, rev: r.rev, ...(r.op ? {} : { dup: true }) });
      }
    }
    await flush();
  }
}

const submits = (frames: TabFrame[]) => frames.filter((f) => f.t === 'submit' && f.ch === CH);

describe('TextChannel (durable): the draft outlives the tab', () => {
  it('a message sent offline, then the tab closed: the reopened draft is empty and the text is never resent', async () => {
    const store = new MemoryOutboxStore();
    const server = new TextServer();
    const one = tab(store, 'tab1');
    const t1 = new TextChannel(one.client, CH, true);
    await flush();
    await serve(server, one.held, t1); // online: subscribed, empty draft
    // offline: typed, Enter (the draft is cleared with the send), tab closed; nothing left the browser yet
    t1.edit('hello while offline');
    const cleared = t1.edit('', true);
    await one.client.submit('conv:c1', { k: 'msg', text: 'hello while offline' }, 0, undefined, cleared ? [cleared] : []);
    const outbound = one.held.splice(0);
    t1.close();
    // back online: the browser delivers what it held (the op in flight), as the stored ops of the issue show
    for (const f of submits(outbound)) server.submit(f as never);
    expect(server.doc).toBe('hello while offline');

    const two = tab(store, 'tab2');
    const t2 = new TextChannel(two.client, CH, true);
    await flush();
    await serve(server, two.held, t2);
    expect(t2.doc).toBe('');
    expect(server.doc).toBe('');
    expect(t2.synced).toBe(true);
  });

  it('the text left in the box after a send comes back, not the sent one', async () => {
    const store = new MemoryOutboxStore();
    const server = new TextServer();
    const one = tab(store, 'tab1');
    const t1 = new TextChannel(one.client, CH, true);
    await flush();
    await serve(server, one.held, t1);
    t1.edit('first');
    await serve(server, one.held, t1); // committed: the server has "first"
    t1.edit('first message');
    const cleared = t1.edit('', true);
    await one.client.submit('conv:c1', { k: 'msg', text: 'first message' }, 0, undefined, cleared ? [cleared] : []);
    t1.edit('still typing');
    one.held.splice(0); // never left the browser
    t1.close();

    const two = tab(store, 'tab2');
    const t2 = new TextChannel(two.client, CH, true);
    await flush();
    expect(t2.doc).toBe('still typing'); // at once, before the server answers
    await serve(server, two.held, t2);
    expect(t2.doc).toBe('still typing');
    expect(server.doc).toBe('still typing');
  });

  it('the cleared draft is written in the same store write as the message', async () => {
    const store = new MemoryOutboxStore();
    const writes: string[][] = [];
    const write = store.write.bind(store);
    store.write = (put, del) => {
      writes.push(put.map((r) => r.id));
      return write(put, del);
    };
    const one = tab(store, 'tab1');
    const t1 = new TextChannel(one.client, CH, true);
    await flush();
    await serve(new TextServer(), one.held, t1);
    t1.edit('hi');
    const cleared = t1.edit('', true);
    expect(cleared).toBeDefined();
    writes.length = 0;
    const r = await one.client.submit('conv:c1', { k: 'msg', text: 'hi' }, 0, undefined, cleared ? [cleared] : []);
    expect(writes).toEqual([[r.id, cleared?.id]]);
    expect(store.map.get(cleared?.id ?? '')).toMatchObject({ doc: '' });
  });

  it("a live tab's pending draft is not taken over by a new tab", async () => {
    const store = new MemoryOutboxStore();
    const locks = new FakeLocks();
    const one = tab(store, 'tab1', locks);
    one.client.start();
    const t1 = new TextChannel(one.client, CH, true);
    await flush();
    t1.edit('typed in tab one');
    one.held.splice(0);
    const two = tab(store, 'tab2', locks);
    const t2 = new TextChannel(two.client, CH, true);
    await flush();
    expect(t2.doc).toBe('');
    expect([...store.map.keys()].some((k) => k.includes('tab1'))).toBe(true);
    one.client.stop();
    t1.close();
    t2.close();
  });

  it('a synchronized draft leaves nothing in the store', async () => {
    const store = new MemoryOutboxStore();
    const server = new TextServer();
    const one = tab(store, 'tab1');
    const t1 = new TextChannel(one.client, CH, true);
    await flush();
    t1.edit('abc');
    await serve(server, one.held, t1);
    await flush();
    expect(t1.synced).toBe(true);
    expect(store.map.size).toBe(0);
  });
});
