// A text channel (`vdraft:*`, `draft:*`, `note:*`, `canned:*`) bound to a KefuClient: the three-state OT client of
// client/ot, fed in revision order. The editor reports whole values (edit(next)); remote changes come out as the
// new document plus the op that produced it (to move the caret with transformIndex).
//
// A durable channel (the visitor's draft) keeps its unsent state in the outbox store, one record per tab: the
// revision, the op in flight with its id, the edits queued behind it and the text. Every change is written, and the
// draft cleared by a send is written in the same transaction as the message (`edit(next, true)` hands the record to
// the caller), so a page closed offline leaves exactly what was in the box. The next page takes over the record of a
// tab that is gone (it no longer holds its `kefu-tab:` lock): it resends the op in flight under its old id (the server
// dedupes it if it arrived after all) and then the rest, so sent text never comes back and typed text is never lost.
import { fromJSON, type TextOperation } from '../ot/text-operation';
import { OtClient, type OtSubmit } from '../ot/ot-client';
import { ErrorCode } from '../protocol/error-codes';
import type { AckFrame, ErrorFrame, OpFrame, PresenceEntry, PresenceFrame, SnapshotFrame } from '../protocol/server-frames';
import { Emitter } from '../util/emitter';
import type { ChannelHandler } from './channel-handler';
import type { KefuClient } from './kefu-client';
import { judge } from './revision';
import { diffOp } from './text-diff';
import { retryDelay, type TextRecord } from './outbox';

export interface TextChannelEvents {
  /**
   * the document changed by a remote op (op: what was applied to the old document; id: its client op id, which starts
   * with the author tab's id) or a snapshot (op: null)
   */
  change(doc: string, op: TextOperation | null, id?: string): void;
  presence(list: PresenceEntry[]): void;
}

/**
 * The next op counter of every channel, per tab (its KefuClient), for the life of the page. A channel opened again (the
 * console makes a new TextChannel each time a conversation is opened) continues where the last one stopped: the tab
 * never reuses an id on a channel, since the server takes a text op whose n is not above the highest it committed for
 * the prefix as a duplicate (protocol §4.1), and the edit would be lost.
 */
const counters = new WeakMap<KefuClient, Record<string, number>>();

export class TextChannel extends Emitter<TextChannelEvents> implements ChannelHandler {
  doc = '';
  presenceList: PresenceEntry[] = [];
  /** null until the first snapshot: local edits are kept (dirty) and submitted once the document is known */
  private ot: OtClient | null = null;
  private dirty = false;
  /** this tab's entry of `counters` */
  private readonly next: Record<string, number>;
  private retries = 0;
  /** the op in flight was refused by the client (offline), so the server cannot have it */
  private unsent = false;
  private detach = (): void => {};
  private closed = false;
  /** this tab's record is in the store */
  private saved = false;
  private readonly key: string;

  constructor(
    private readonly client: KefuClient,
    readonly ch: string,
    private readonly durable = false,
  ) {
    super();
    this.key = `~${client.tabId}~${ch}`;
    counters.set(client, (this.next = counters.get(client) ?? {}));
    const attach = (): void => {
      if (!this.closed) this.detach = client.attach(this);
    };
    // a durable channel subscribes once it knows the revision it stands on (a record taken over starts there)
    if (durable) void this.restore().finally(attach);
    else attach();
  }

  get rev(): number {
    return this.ot?.revision ?? 0;
  }

  /** Whether every local edit has been committed (nothing in flight: the OT client is synchronized). */
  get synced(): boolean {
    return !this.dirty && !this.ot?.outstanding;
  }

  close(): void {
    this.closed = true;
    this.detach();
  }

  /**
   * A position another client published (relative to the server's document) moved through this client's own
   * unconfirmed edits, so it points at the same text in `doc`.
   */
  transformRemote(anchor: number, head: number): [number, number] {
    if (!this.ot) return [anchor, head];
    try {
      const s = this.ot.transformRemoteSelection({ anchor, head });
      return [s.anchor, s.head];
    } catch {
      return [Math.min(anchor, this.doc.length), Math.min(head, this.doc.length)];
    }
  }

  /**
   * The editor's new value. `hold` (durable channels): the record of the new state is returned instead of written, for
   * the caller to write with its own (a send and the cleared draft, in one transaction).
   */
  edit(next: string, hold = false): TextRecord | undefined {
    if (next === this.doc) return;
    const op = diffOp(this.doc, next);
    this.doc = next;
    if (!this.ot) this.dirty = true;
    else if (this.ot.applyClient(op)) this.sendOutstanding();
    // Offline, edits pile up behind an op that never left: send them as one. Sent one by one after the reconnect,
    // every other tab would show each step, e.g. a message typed and sent offline reappearing in its box.
    else if (this.unsent) this.ot.absorb();
    return this.save([], hold);
  }

  /** Takes over the newest record of this channel left by a tab that is gone, and deletes all of theirs. */
  private async restore(): Promise<void> {
    const { client } = this;
    const gone: TextRecord[] = [];
    for (const r of await client.outbox.texts(this.ch)) if (r.c !== client.tabId && !(await client.isAlive(r.c))) gone.push(r);
    const r = gone.sort((a, b) => a.createdAt - b.createdAt).at(-1);
    if (r && !this.ot && !this.dirty && !this.closed) {
      try {
        const o = r.out;
        const out = o && typeof o.id === 'string' && typeof o.rev === 'number' ? { id: o.id, rev: o.rev, op: fromJSON(o.op) } : null;
        const buf = r.buf === undefined ? null : fromJSON(r.buf);
        if (r.rev >= 0) {
          const ot = new OtClient(r.rev, client.tabId, this.next[this.ch]);
          ot.resume(out, buf);
          this.ot = ot;
        } else this.dirty = true;
        this.doc = r.doc;
      } catch {
        // written by something else on this origin: not a state to resume
      }
    }
    this.save(gone.map((g) => g.id));
    if (this.doc) this.emit('change', this.doc, null);
  }

  /** Durable channels: writes this tab's state (or returns it, `hold`), or deletes it once everything is committed. */
  private save(del: string[] = [], hold = false): TextRecord | undefined {
    if (!this.durable) return;
    const ot = this.ot;
    const { outbox, tabId } = this.client;
    if (!this.dirty && !ot?.outstanding) {
      if (this.saved || del.length) void outbox.text([], [...del, this.key]);
      this.saved = false;
      return;
    }
    const out = ot?.outstanding;
    const buf = ot?.buffer;
    const r: TextRecord = { id: this.key, ch: this.ch, c: tabId, createdAt: Date.now(), rev: ot ? ot.revision : -1, doc: this.doc };
    if (out) r.out = { id: out.id, rev: out.rev, op: out.op.toJSON() };
    if (buf) r.buf = buf.toJSON();
    this.saved = true;
    if (hold) return r;
    void outbox.text([r], del);
    return undefined;
  }

  /** Every id minted is sent from here, so this is where the channel's counter moves on. */
  private sendOutstanding(): void {
    const ot = this.ot;
    const out: OtSubmit | null | undefined = ot?.outstanding;
    if (ot && out) {
      this.next[this.ch] = ot.nextCounter;
      this.unsent = !this.client.send({ t: 'submit', c: this.client.tabId, ch: this.ch, id: out.id, rev: out.rev, op: out.op.toJSON() });
    }
  }

  /** Throws the OT state away and asks for a snapshot; `keepLocal`: rebase the local text on it. */
  private reset(keepLocal: boolean): void {
    this.ot = null;
    this.dirty = keepLocal;
    this.client.resubscribe(this.ch, true);
  }

  // ---- ChannelHandler ----

  snapshot(f: SnapshotFrame): void {
    // A snapshot at or before the revision this client already stands on (a second `sub` answered late, e.g. attach and
    // welcome both subscribing) tells nothing new. Applying it would drop the op in flight and resend its text under a
    // new id, so a committed op would land twice ("HelloHello").
    if (this.ot && f.rev <= this.ot.revision) return;
    const local = this.doc;
    const hadLocal = this.dirty || !!this.ot?.outstanding;
    this.ot = new OtClient(f.rev, this.client.tabId, this.next[this.ch]);
    this.doc = f.doc ?? '';
    this.dirty = false;
    // Local edits not known to be committed: re-apply them as one new op on top of the snapshot. If the outstanding op
    // was in fact committed, the snapshot already contains it and the diff is empty.
    if (hadLocal && local !== this.doc) this.edit(local);
    else this.save();
    // Emit once, with the final text: emitting the bare snapshot first would blank the input under the typist's fingers.
    this.emit('change', this.doc, null);
  }

  op(f: OpFrame): void {
    const ot = this.ot;
    if (!ot) return; // a snapshot comes first
    const v = judge(ot.revision, f.rev);
    if (v === 'old') return;
    if (v === 'gap') {
      this.client.resubscribe(this.ch);
      return;
    }
    if (ot.outstanding && ot.outstanding.id === f.id) {
      this.retries = 0;
      if (ot.serverAck()) this.sendOutstanding();
      this.save();
      return;
    }
    try {
      const applied = ot.applyServer(fromJSON(f.op));
      const before = this.doc;
      this.doc = applied.apply(before);
      this.save();
      this.emit('change', this.doc, applied, f.id);
    } catch {
      // The op does not fit our document: our state is wrong. Start over from a snapshot, keeping what was typed.
      this.reset(true);
    }
  }

  ack(f: AckFrame): void {
    const ot = this.ot;
    if (!ot || !ot.outstanding || ot.outstanding.id !== f.id) return; // already confirmed by its own op
    const v = judge(ot.revision, f.rev);
    if (v === 'gap') {
      this.client.resubscribe(this.ch); // the replay brings our op with its id
      return;
    }
    if (v === 'apply') {
      this.retries = 0;
      if (ot.serverAck()) this.sendOutstanding();
      this.save();
    }
  }

  subbed(): void {
    // after the replay, the outstanding op (transformed past it) is resent with its id; a duplicate is acked `dup`
    if (this.ot?.outstanding) this.sendOutstanding();
  }

  error(f: ErrorFrame): void {
    const out = this.ot?.outstanding;
    if (f.id && out && f.id !== out.id) return;
    if (f.code === ErrorCode.StaleBase) this.client.resubscribe(this.ch);
    else if (f.retry) setTimeout(() => this.sendOutstanding(), retryDelay(this.retries++));
    else if (f.code === ErrorCode.InvalidOp || f.code === ErrorCode.FutureBase) this.reset(false);
  }

  presence(f: PresenceFrame): void {
    this.presenceList = f.list;
    this.emit('presence', f.list);
  }

  resubscribed(): void {
    // nothing: the outstanding op is resent after `subbed`
  }
}
