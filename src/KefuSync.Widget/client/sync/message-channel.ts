// A message channel (`conv:*`) bound to a KefuClient: revision checks, the message log, the outbox's pending
// messages ("sending"), acks, read markers and the local cache that makes a reload show the conversation at once.
import type { AckFrame, ErrorFrame, OpFrame, PresenceEntry, PresenceFrame, SnapshotFrame, SubbedFrame } from '../protocol/server-frames';
import { Emitter } from '../util/emitter';
import type { ChannelHandler } from './channel-handler';
import type { KefuClient } from './kefu-client';
import { MessageLog, type ChatMessage } from './message-log';
import type { OutboxRecord, TextRecord } from './outbox';
import { judge } from './revision';
import { isObj } from '../protocol/validation';
import { ErrorCode } from '../protocol/error-codes';

export type MessageStatus = 'sending' | 'sent' | 'read' | 'failed';

/** A message as a view shows it: committed (rev > 0) or still in the outbox (rev 0). */
export interface MessageItem extends ChatMessage {
  own: boolean;
  /** own messages only */
  status?: MessageStatus;
  /** the server's error code when failed */
  err?: string;
  /** failed with a retryable error: Retry may succeed */
  re?: true;
}

export interface MessageCache {
  load(): unknown;
  save(snapshot: unknown): void;
}

export interface MessageChannelEvents {
  change(): void;
  /** a committed message was added; live: not part of a (re)subscribe replay */
  message(m: ChatMessage, live: boolean): void;
  presence(list: PresenceEntry[]): void;
}

export class MessageChannel extends Emitter<MessageChannelEvents> implements ChannelHandler {
  readonly log: MessageLog = this.newLog();
  /** outbox records of this channel (every tab's), not yet seen committed */
  pending: OutboxRecord[] = [];
  presenceList: PresenceEntry[] = [];
  /** ids acknowledged whose op has not arrived yet */
  private readonly acked = new Map<string, number>();
  private replaying = true;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly detach: () => void;

  /** with `tail`, a fresh subscribe loads only the last `tail` ops; PagedMessageChannel.loadOlder pages back */
  readonly tail?: number;

  constructor(
    protected readonly client: KefuClient,
    readonly ch: string,
    private readonly cache?: MessageCache,
    tail?: number,
  ) {
    super();
    if (tail) this.tail = tail;
    if (cache) {
      try {
        this.log.restore(cache.load());
      } catch {
        // a broken cache is no cache
      }
    }
    this.detach = client.attach(this);
    void this.outboxChanged();
  }

  get rev(): number {
    return this.log.rev;
  }

  close(): void {
    this.detach();
    clearTimeout(this.saveTimer);
  }

  /** The log this channel keeps (PagedMessageChannel's pages back). */
  protected newLog(): MessageLog {
    return new MessageLog();
  }

  /** Sends a chat message (through the outbox), writing `draft` (the cleared draft's state) in the same transaction. */
  async send(text: string, draft?: TextRecord): Promise<OutboxRecord> {
    const r = await this.client.submit(this.ch, { k: 'msg', text }, this.rev, undefined, draft && [draft]);
    if (!this.pending.some((p) => p.id === r.id)) this.pending.push(r);
    this.emit('change');
    return r;
  }

  /** Submits another message op (agents: edit, recall, status, assign) through the outbox. */
  async submitOp(op: { k: string } & Record<string, unknown>): Promise<OutboxRecord> {
    return this.client.submit(this.ch, op, this.rev);
  }

  /** Marks everything up to `upTo` as read by this principal. */
  async markRead(upTo = this.rev): Promise<void> {
    await this.client.submit(this.ch, { k: 'read', upTo }, this.rev);
  }

  /** Sends a failed message again (same id: the server dedupes). */
  async retry(id: string): Promise<void> {
    const r = await this.client.outbox.unfail(id);
    if (r) this.client.sendRecord(r);
    await this.outboxChanged();
    this.client.outboxChanged();
  }

  /** Drops a failed message. */
  async discard(id: string): Promise<void> {
    await this.client.outbox.settle(id);
    await this.outboxChanged();
    this.client.outboxChanged();
  }

  /** The highest revision read by the principal `by` (e.g. welcome.me.id), counting unsent read markers. */
  readUpTo(by: string): number {
    let max = this.log.readUpTo({ by });
    for (const r of this.pending) {
      const op = r.op;
      if (isObj(op) && op.k === 'read' && typeof op.upTo === 'number') max = Math.max(max, op.upTo);
    }
    return max;
  }

  /** Committed messages then pending ones, with the status of the principal `me`'s own messages. */
  items(me: string): MessageItem[] {
    const seenBy = this.log.readUpTo({ role: 'agent' });
    const out: MessageItem[] = this.log.messages.map((m) => {
      const own = m.by === me;
      return own ? { ...m, own, status: m.rev <= seenBy ? 'read' : 'sent' } : { ...m, own };
    });
    for (const r of this.pending) {
      const op = r.op;
      // a file still in the outbox shows its name at once (its id is the server's, unknown until it is uploaded)
      const u = r.up;
      if (!isObj(op) || op.k !== 'msg' || (typeof op.text !== 'string' && !u)) continue;
      out.push({
        rev: 0, id: r.id, by: me, ts: r.createdAt, name: '', role: '', text: u ? '' : (op.text as string), own: true,
        ...(u && { att: { id: '', name: u.n, size: u.s, type: u.t } }),
        status: r.err !== undefined ? 'failed' : this.acked.has(r.id) ? 'sent' : 'sending',
        ...(r.err !== undefined ? { err: r.err } : {}),
        ...(r.re ? { re: true as const } : {}),
      });
    }
    return out;
  }

  /** Re-reads the pending records of this channel (the outbox changed in some tab). */
  async outboxChanged(): Promise<void> {
    const recs = await this.client.outbox.all(this.ch);
    const committed = new Set(this.log.messages.map((m) => m.id));
    const stale = recs.filter((r) => committed.has(r.id));
    for (const r of stale) void this.client.outbox.settle(r.id);
    // records already acknowledged in this tab stay shown as "sent" until their op arrives
    const keep = this.pending.filter((p) => this.acked.has(p.id) && !committed.has(p.id) && !recs.some((r) => r.id === p.id));
    this.pending = [...recs.filter((r) => !committed.has(r.id)), ...keep];
    this.emit('change');
  }

  // ---- ChannelHandler ----

  op(f: OpFrame): void {
    const v = judge(this.log.rev, f.rev);
    if (v === 'old') return;
    if (v === 'gap') {
      this.client.resubscribe(this.ch);
      return;
    }
    const m = this.log.apply(f);
    const i = this.pending.findIndex((p) => p.id === f.id);
    if (i >= 0) {
      this.pending.splice(i, 1);
      this.acked.delete(f.id);
      void this.client.outbox.settle(f.id);
    }
    if (m && m.rev === f.rev) this.emit('message', m, !this.replaying);
    this.changed();
  }

  snapshot(f: SnapshotFrame): void {
    // On a message channel a snapshot is a revision marker: the ops before it are not replayed (page with history).
    if (f.rev > this.log.rev) {
      this.log.skipTo(f.rev);
      this.changed();
    }
  }

  subbed(f: SubbedFrame): void {
    this.replaying = false;
    if (f.rev < this.log.rev) {
      // The server's head is behind our cache: the cache is from another conversation or a reset store.
      this.log.reset();
      this.client.resubscribe(this.ch);
    }
    this.changed();
  }

  ack(f: AckFrame): void {
    const p = this.pending.find((r) => r.id === f.id);
    void this.client.outbox.settle(f.id);
    if (p && f.rev > this.log.rev) this.acked.set(f.id, f.rev);
    else if (p) this.pending = this.pending.filter((r) => r !== p);
    this.client.outboxChanged();
    this.emit('change');
  }

  error(f: ErrorFrame): void {
    if (!f.id) {
      // `sub` refused with future_base: the server has less than our cache (its store was reset or restored).
      // Drop what we hold of the channel and subscribe from 0 (docs/protocol.md §5); the outbox stays and resends.
      if (f.code === ErrorCode.FutureBase) {
        this.log.reset();
        this.changed();
        this.client.resubscribe(this.ch, true);
      }
      return;
    }
    if (f.retry && this.client.retryLater(f.id)) return;
    void this.client.outbox.fail(f.id, f.code, f.retry).then(async () => {
      await this.outboxChanged();
      this.client.outboxChanged();
    });
  }

  presence(f: PresenceFrame): void {
    this.presenceList = f.list;
    this.emit('presence', f.list);
  }

  resubscribed(): void {
    this.replaying = true;
  }

  protected changed(): void {
    this.emit('change');
    const cache = this.cache;
    if (!cache) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      try {
        cache.save(this.log.toSnapshot());
      } catch {
        // quota: ignore
      }
    }, 200);
  }
}
