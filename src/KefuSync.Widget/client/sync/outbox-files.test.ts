// Files in the outbox (docs/protocol.md §9.6, issue 14 item 2): kept as a Blob, uploaded by whichever tab leads, in
// order with the text messages around them: a text sent after a file never reaches the socket before the file's op,
// a file whose leader died mid-upload is uploaded again by the next leader and submitted once with the same id.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SubmitFrame } from '../protocol/client-frames';
import { ErrorCode } from '../protocol/error-codes';
import { BusHub, FakeLocks, FakeSocket, flush } from '../test/fakes';
import { KefuClient } from './kefu-client';
import { MessageChannel } from './message-channel';
import { MemoryOutboxStore, Outbox, toUpload, type OutboxRecord } from './outbox';
import { OutboxDrain } from './outbox-drain';

const file = (name = 'a.png') => ({ u: `up-${name}`, b: new Blob(['png bytes'], { type: 'image/png' }), n: name, s: 9, t: 'image/png' });

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  const p = new Promise<T>((r) => (resolve = r));
  return { p, resolve };
};

describe('OutboxDrain with files', () => {
  function setup() {
    const store = new MemoryOutboxStore();
    const outbox = new Outbox(store, 'lead');
    const uploads: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred<'ok' | 'fail' | 'throw'>>>();
    const upload = vi.fn(async (r: OutboxRecord, current: () => boolean) => {
      uploads.push(r.id);
      const g = deferred<'ok' | 'fail' | 'throw'>();
      gates.set(r.id, g);
      const how = await g.p;
      if (how === 'throw') throw new Error('kefu-upload.js did not load');
      if (how === 'fail' || !current()) return null;
      const done = { ...r, op: { k: 'msg', att: { id: `att-${r.id}` } } };
      await outbox.put(done);
      return done;
    });
    const drain = new OutboxDrain({ outbox, isLive: () => true, isGone: () => false, adopted: () => {}, upload }, 0);
    const sent: SubmitFrame[] = [];
    const text = (id: string, createdAt: number) => store.put({ id, ch: 'conv:a', op: { k: 'msg', text: id }, rev: 0, c: 'lead', createdAt });
    const put = (id: string, createdAt: number) => store.put({ id, ch: 'conv:a', op: { k: 'msg' }, rev: 0, c: 'lead', createdAt, up: file(id) });
    return { store, outbox, drain, sent, send: (f: SubmitFrame) => sent.push(f), text, put, gates, uploads, upload };
  }

  it('uploads a file in its place and holds the records after it until its op is sent', async () => {
    const { drain, sent, send, text, put, gates } = setup();
    await text('m1', 1);
    await put('f2', 2);
    await text('m3', 3);
    drain.start(send, () => true);
    await flush();
    expect(sent.map((f) => f.id)).toEqual(['m1']); // m3 waits behind the file
    gates.get('f2')?.resolve('ok');
    expect(await drain.gate).toBe(true);
    expect(sent.map((f) => [f.id, f.op])).toEqual([
      ['m1', { k: 'msg', text: 'm1' }],
      ['f2', { k: 'msg', att: { id: 'att-f2' } }],
      ['m3', { k: 'msg', text: 'm3' }],
    ]);
  });

  it('a file refused for good lets the records after it go; it is never sent without its att', async () => {
    const { drain, sent, send, text, put, gates } = setup();
    await put('f1', 1);
    await text('m2', 2);
    drain.start(send, () => true);
    await flush();
    gates.get('f1')?.resolve('fail');
    expect(await drain.gate).toBe(true);
    expect(sent.map((f) => f.id)).toEqual(['m2']);
  });

  it('an uploader that cannot run (its script did not load) stops the drain: the gate says false, nothing overtakes', async () => {
    const { drain, sent, send, text, put, gates } = setup();
    await put('f1', 1);
    await text('m2', 2);
    drain.start(send, () => true);
    await flush();
    gates.get('f1')?.resolve('throw');
    expect(await drain.gate).toBe(false);
    expect(sent).toEqual([]);
  });

  it('without an uploader a file record stops the drain rather than being skipped', async () => {
    const store = new MemoryOutboxStore();
    const outbox = new Outbox(store, 'lead');
    const client = new KefuClient({ endpoint: '/kefu', version: '1', tabId: 'lead', outboxStore: store, locks: null, storage: null });
    const drain = new OutboxDrain({ outbox, isLive: () => true, isGone: () => false, adopted: () => {}, upload: (r, c) => (client.uploader as NonNullable<typeof client.uploader>)(r, c) }, 0);
    await store.put({ id: 'f1', ch: 'conv:a', op: { k: 'msg' }, rev: 0, c: 'lead', createdAt: 1, up: file() });
    await store.put({ id: 'm2', ch: 'conv:a', op: { k: 'msg', text: 'x' }, rev: 0, c: 'lead', createdAt: 2 });
    const sent: SubmitFrame[] = [];
    drain.start((f) => sent.push(f), () => true);
    expect(await drain.gate).toBe(false);
    expect(sent).toEqual([]);
  });

  it('an uploaded file (its op has att) is sent as it is, not uploaded again', async () => {
    const { drain, sent, send, store, upload } = setup();
    await store.put({ id: 'f1', ch: 'conv:a', op: { k: 'msg', att: { id: 'A' } }, rev: 0, c: 'lead', createdAt: 1, up: file() });
    drain.start(send, () => true);
    expect(await drain.gate).toBe(true);
    expect(upload).not.toHaveBeenCalled();
    expect(sent.map((f) => f.op)).toEqual([{ k: 'msg', att: { id: 'A' } }]);
  });

  it('stops once its connection is gone during the upload', async () => {
    const { drain, sent, send, text, put, gates } = setup();
    let current = true;
    await put('f1', 1);
    await text('m2', 2);
    drain.start(send, () => current);
    await flush();
    current = false;
    gates.get('f1')?.resolve('ok');
    expect(await drain.gate).toBe(false);
    expect(sent).toEqual([]);
  });
});

describe('Outbox file records', () => {
  it('keep their Blob through the store, and are to upload until their op has att', async () => {
    const store = new MemoryOutboxStore();
    const a = new Outbox(store, 'tabA');
    const r = await a.add('conv:x', 'tabA-1', { k: 'msg' }, 0, [], file());
    const [back] = await a.all();
    expect(back?.up?.b).toBeInstanceOf(Blob);
    expect(await back?.up?.b.text()).toBe('png bytes');
    expect(toUpload(r)).toBe(true);
    expect(toUpload({ ...r, op: { k: 'msg', att: { id: 'X' } } })).toBe(false);
    expect(toUpload({ id: r.id, ch: r.ch, op: r.op, rev: 0, c: 'x', createdAt: 1 })).toBe(false);
  });

  it('a pending file shows as a message with its name and size before the server knows it', async () => {
    const store = new MemoryOutboxStore();
    const client = new KefuClient({ endpoint: '/kefu', version: '1', tabId: 't', outboxStore: store, locks: null, storage: null });
    const ch = new MessageChannel(client, 'conv:c1');
    await client.outbox.add('conv:c1', 't-1', { k: 'msg' }, 0, [], file('shot.png'));
    await ch.outboxChanged();
    expect(ch.items('v1')).toEqual([expect.objectContaining({ id: 't-1', text: '', att: { id: '', name: 'shot.png', size: 9, type: 'image/png' }, status: 'sending' })]);
  });
});

describe('KefuClient: files across tabs', () => {
  const welcome = (conn: string) => ({ t: 'welcome', v: 1, server: '1', conn, me: { id: 'v1', name: 'V', role: 'visitor' }, conv: 'c1', hb: 60000, ttl: 30000 });
  const submits = (ws: FakeSocket) => ws.frames().filter((f) => f.t === 'submit');

  function browser() {
    const hub = new BusHub();
    const locks = new FakeLocks();
    const store = new MemoryOutboxStore();
    const tab = (id: string) =>
      new KefuClient({
        endpoint: '/kefu', version: '1', tabId: id, busPort: hub.port, locks: locks as never, storage: null,
        outboxStore: store, orphanGraceMs: 10, linkEnv: { base: 'http://shop.test/', WebSocket: FakeSocket as never },
      });
    return { tab, store };
  }

  beforeEach(() => FakeSocket.reset());
  afterEach(() => FakeSocket.reset());

  it('a follower chooses a file, then sends a text: the leader uploads the file and the text goes after its op', async () => {
    const { tab } = browser();
    const a = tab('tA');
    const b = tab('tB');
    const gate = deferred<null>();
    const uploaded: string[] = [];
    a.uploader = async (r) => {
      uploaded.push(r.id);
      await gate.p;
      const done = { ...r, op: { k: 'msg', att: { id: 'ATT' } } };
      await a.outbox.put(done);
      return done;
    };
    b.uploader = () => Promise.reject(new Error('a follower never uploads'));
    const cb = new MessageChannel(b, 'conv:c1');
    a.start();
    await flush();
    b.start();
    await flush();
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await flush();
    const f = await b.submit('conv:c1', { k: 'msg' }, 0, undefined, undefined, file());
    const t = await cb.send('see the screenshot');
    await flush();
    expect(uploaded).toEqual([f.id]);
    expect(submits(ws)).toEqual([]); // the text waits behind the upload
    gate.resolve(null);
    await flush();
    const ids = submits(ws).map((x) => x.id);
    expect(ids[0]).toBe(f.id);
    expect(ids.indexOf(t.id)).toBeGreaterThan(0);
    expect(submits(ws)[0]).toMatchObject({ c: 'tB', op: { k: 'msg', att: { id: 'ATT' } } });
  });

  it('the leader closes mid-upload: the next leader uploads the file again and submits it with the same id', async () => {
    const { tab, store } = browser();
    const a = tab('tA');
    const b = tab('tB');
    a.uploader = () => new Promise(() => {}); // never finishes: the tab closes mid-upload
    const again: string[] = [];
    b.uploader = async (r) => {
      again.push(r.up?.u ?? '');
      const done = { ...r, op: { k: 'msg', att: { id: 'ATT' } } };
      await b.outbox.put(done);
      return done;
    };
    new MessageChannel(b, 'conv:c1'); // receives the ack
    a.start();
    await flush();
    b.start();
    await flush();
    FakeSocket.last().receive(welcome('k1'));
    await flush();
    const f = await a.submit('conv:c1', { k: 'msg' }, 0, undefined, undefined, file('big.pdf'));
    await flush();
    a.stop();
    await flush(10);
    expect(b.isLeader).toBe(true);
    const ws = FakeSocket.last();
    ws.receive(welcome('k2'));
    await flush(20);
    expect(again).toEqual(['up-big.pdf']); // the upload id chosen with the file: the server answers the same attachment
    expect(submits(ws).map((x) => [x.id, x.op])).toEqual([[f.id, { k: 'msg', att: { id: 'ATT' } }]]);
    ws.receive({ t: 'ack', c: 'tB', ch: 'conv:c1', id: f.id, rev: 1 });
    await flush();
    expect(store.map.size).toBe(0);
  });

  it('Retry of a failed upload goes back to the drain (never a msg without att on the wire)', async () => {
    const { tab, store } = browser();
    const a = tab('tA');
    let n = 0;
    a.uploader = async (r) => {
      if (++n === 1) {
        await a.outbox.fail(r.id, ErrorCode.StoreUnavailable, true);
        return null;
      }
      const done = { ...r, op: { k: 'msg', att: { id: 'ATT' } } };
      await a.outbox.put(done);
      return done;
    };
    const ca = new MessageChannel(a, 'conv:c1');
    a.start();
    await flush();
    const ws = FakeSocket.last();
    ws.receive(welcome('k1'));
    await flush();
    const f = await a.submit('conv:c1', { k: 'msg' }, 0, undefined, undefined, file());
    await flush();
    expect(store.map.get(f.id)).toMatchObject({ err: ErrorCode.StoreUnavailable, re: true });
    expect(submits(ws)).toEqual([]);
    await ca.retry(f.id);
    await flush();
    expect(submits(ws).map((x) => x.op)).toEqual([{ k: 'msg', att: { id: 'ATT' } }]);
  });
});
