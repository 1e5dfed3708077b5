// The three-state client against a simulated server: random edits, random delivery order between clients, dropped
// connections with replay and resend. Every replica must converge and every op must be committed exactly once.
import { describe, expect, it } from 'vitest';
import { OtClient, transformSelection } from './ot-client';
import { TextOperation, fromJSON, transform } from './text-operation';
import { int, randomOp, randomText, seeded, type Rng } from './random-ops.test-util';
import { must } from '../test/must';

interface OpFrame {
  rev: number;
  id: string;
  op: TextOperation;
}
interface SubmitFrame {
  id: string;
  rev: number;
  op: TextOperation;
}

/** The server of docs/protocol.md section 4.1, in memory. */
class Server {
  doc: string;
  readonly log: OpFrame[] = [];
  readonly ids = new Map<string, number>();
  constructor(doc: string) {
    this.doc = doc;
  }
  /** Returns the committed frame, or null for a duplicate. */
  submit(s: SubmitFrame): OpFrame | null {
    if (this.ids.has(s.id)) return null;
    expect(s.rev).toBeLessThanOrEqual(this.log.length);
    let op = s.op;
    for (const committed of this.log.slice(s.rev)) op = transform(committed.op, op)[1];
    this.doc = op.apply(this.doc);
    const frame = { rev: this.log.length + 1, id: s.id, op };
    this.log.push(frame);
    this.ids.set(s.id, frame.rev);
    return frame;
  }
}

class Replica {
  readonly client: OtClient;
  doc: string;
  inbox: OpFrame[] = [];
  outbox: SubmitFrame[] = [];
  readonly minted = new Set<string>();
  constructor(name: string, doc: string, rev: number) {
    this.client = new OtClient(rev, name);
    this.doc = doc;
  }
  send(s: SubmitFrame | null): void {
    if (s === null) return;
    this.minted.add(s.id);
    this.outbox.push({ id: s.id, rev: s.rev, op: s.op });
  }
  edit(rng: Rng): void {
    const op = randomOp(rng, this.doc);
    this.doc = op.apply(this.doc);
    if (this.client.applyClient(op)) this.send(this.client.outstanding);
  }
  receive(): void {
    const f = must(this.inbox.shift(), 'a frame in the inbox');
    if (f.rev <= this.client.revision) return; // replayed twice
    expect(f.rev).toBe(this.client.revision + 1);
    if (this.client.outstanding?.id === f.id) this.send(this.client.serverAck());
    else this.doc = this.client.applyServer(f.op).apply(this.doc);
  }
}

function simulate(seed: number, clients: number, steps: number): void {
  const rng = seeded(seed);
  const initial = randomText(rng, 6);
  const server = new Server(initial);
  const replicas = Array.from({ length: clients }, (_, i) => new Replica(`c${i}`, initial, 0));
  const broadcast = (f: OpFrame | null): void => {
    if (f !== null) for (const r of replicas) r.inbox.push(f);
  };
  const step = (allowEdits: boolean): boolean => {
    const r = must(replicas[int(rng, replicas.length)]);
    const roll = rng();
    if (allowEdits && roll < 0.3) r.edit(rng);
    else if (roll < 0.6 && r.outbox.length > 0) broadcast(server.submit(must(r.outbox.shift())));
    else if (r.inbox.length > 0) r.receive();
    else if (allowEdits && roll > 0.97) {
      // The connection drops: frames in flight both ways are lost. On reconnect the server replays what the client
      // lacks, and the client resends its outstanding op with the same id.
      r.inbox = server.log.slice(r.client.revision);
      r.outbox = [];
      const out = r.client.outstanding;
      if (out !== null) r.outbox.push({ id: out.id, rev: out.rev, op: out.op });
    } else return false;
    return true;
  };
  for (let i = 0; i < steps; i++) step(true);
  let idle = 0;
  while (idle < 1000) idle = step(false) ? 0 : idle + 1;

  for (const r of replicas) {
    expect(r.inbox).toHaveLength(0);
    expect(r.outbox).toHaveLength(0);
    expect(r.client.state).toBe('synchronized');
    expect(r.client.revision).toBe(server.log.length);
    expect(r.doc).toBe(server.doc);
    for (const id of r.minted) expect(server.ids.has(id)).toBe(true);
  }
  const minted = replicas.reduce((n, r) => n + r.minted.size, 0);
  expect(server.log.length).toBe(minted); // each op committed exactly once
}

describe('OtClient', () => {
  it('starts synchronized and sends the first edit at once', () => {
    const c = new OtClient(3, 'tab');
    expect(c.state).toBe('synchronized');
    expect(c.applyClient(fromJSON(['a']))).toBe(true);
    expect(c.outstanding).toEqual({ id: 'tab-1', rev: 3, op: fromJSON(['a']) });
    expect(c.state).toBe('awaitingConfirm');
  });

  it('buffers edits behind the op in flight and composes them', () => {
    const c = new OtClient(0, 'tab');
    c.applyClient(fromJSON(['a']));
    expect(c.applyClient(fromJSON([1, 'b']))).toBe(false);
    expect(c.applyClient(fromJSON([2, 'c']))).toBe(false);
    expect(c.state).toBe('awaitingWithBuffer');
    expect(must(c.buffer).toJSON()).toEqual([1, 'bc']);
    const next = c.serverAck();
    expect(next).toEqual({ id: 'tab-2', rev: 1, op: fromJSON([1, 'bc']) });
    expect(c.serverAck()).toBeNull();
    expect(c.state).toBe('synchronized');
    expect(c.revision).toBe(2);
  });

  it('puts the committed op first when a server insert ties with a pending insert', () => {
    const c = new OtClient(0, 'tab');
    c.applyClient(fromJSON([1, 'L', 1])); // local doc "aLb" from "ab"
    const toApply = c.applyServer(fromJSON([1, 'S', 1])); // server doc "aSb"
    expect(toApply.apply('aLb')).toBe('aSLb');
    expect(c.outstanding).toMatchObject({ rev: 1, id: 'tab-1' });
    expect(must(c.outstanding).op.toJSON()).toEqual([2, 'L', 1]);
  });

  it('keeps the client op id when the outstanding op is transformed, for idempotent resends', () => {
    const c = new OtClient(5, 'x');
    c.applyClient(fromJSON(['a', 2]));
    c.applyServer(fromJSON([2, 'z']));
    expect(c.outstanding).toEqual({ id: 'x-1', rev: 6, op: fromJSON(['a', 3]) });
  });

  it('moves remote selections past pending edits', () => {
    const c = new OtClient(0, 'tab');
    c.applyClient(fromJSON(['ab', 3]));
    c.applyClient(fromJSON([5, '!']));
    expect(c.transformRemoteSelection({ anchor: 1, head: 3 })).toEqual({ anchor: 3, head: 6 });
    expect(transformSelection(fromJSON([1, -1, 1]), { anchor: 2, head: 0 })).toEqual({ anchor: 1, head: 0 });
  });

  it('rejects an ack with nothing in flight', () => {
    expect(() => new OtClient(0, 'tab').serverAck()).toThrow();
  });

  it.each([
    [1, 2],
    [2, 3],
    [3, 5],
    [4, 8],
  ])('replicas converge (seed %i, %i clients)', (seed, clients) => {
    for (let run = 0; run < 20; run++) simulate(seed * 1000 + run, clients, 150);
  });
});
