// The outbox: every submit on a message channel is written here BEFORE it goes on the wire, and removed only when the
// server confirms it (an `ack`, or the op itself with the same `id`). Resending the same `id` is idempotent on the
// server, so whoever resends (the writer tab after a reconnect, the leader for a tab that is gone, a reloaded page)
// cannot duplicate a message. The storage behind it is an interface: IndexedDB in browsers (idb-store.ts), memory in
// tests and where IndexedDB is unavailable.
import { isObj } from '../protocol/validation';

export interface OutboxRecord {
  /** client op id; the key */
  id: string;
  ch: string;
  op: unknown;
  /** base revision when written (informational for message channels) */
  rev: number;
  /** the logical client (tab) responsible for resending it */
  c: string;
  createdAt: number;
  /** set when the server refused it for good (error with retry: false): shown as failed, not resent by itself */
  err?: string;
}

export interface OutboxStore {
  put(r: OutboxRecord): Promise<void>;
  delete(id: string): Promise<void>;
  getAll(): Promise<OutboxRecord[]>;
}

export class MemoryOutboxStore implements OutboxStore {
  readonly map = new Map<string, OutboxRecord>();
  // Promise-returning like IndexedDB, so callers (and tests) see the same asynchrony.
  put(r: OutboxRecord): Promise<void> {
    this.map.set(r.id, structuredCloneSafe(r));
    return Promise.resolve();
  }
  delete(id: string): Promise<void> {
    this.map.delete(id);
    return Promise.resolve();
  }
  getAll(): Promise<OutboxRecord[]> {
    return Promise.resolve([...this.map.values()].map(structuredCloneSafe));
  }
}

const structuredCloneSafe = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Retry delays for `retry: true` errors: 1 s, 2 s, 4 s … capped at 30 s. */
export const retryDelay = (attempt: number): number => Math.min(30000, 1000 * 2 ** Math.min(attempt, 15));

/** Storage outlives versions of this script (and can be written by anyone on the origin): check what comes back. */
const isRecord = (r: unknown): r is OutboxRecord =>
  isObj(r) && typeof r.id === 'string' && typeof r.ch === 'string' && typeof r.rev === 'number' &&
  typeof r.c === 'string' && typeof r.createdAt === 'number';

export class Outbox {
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly store: OutboxStore,
    readonly tabId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a submit before it is sent. */
  async add(ch: string, id: string, op: unknown, rev: number): Promise<OutboxRecord> {
    const r: OutboxRecord = { id, ch, op, rev, c: this.tabId, createdAt: this.now() };
    await this.store.put(r);
    return r;
  }

  /** The server committed it. */
  async settle(id: string): Promise<void> {
    this.attempts.delete(id);
    await this.store.delete(id);
  }

  /** The server refused it for good; keep it to show it as failed (the user may retry or drop it). */
  async fail(id: string, code: string): Promise<void> {
    const r = (await this.all()).find((x) => x.id === id);
    if (r) await this.store.put({ ...r, err: code });
  }

  /** Takes a failed record back: clears the error and makes this tab responsible for it. */
  async unfail(id: string): Promise<OutboxRecord | null> {
    const r = (await this.all()).find((x) => x.id === id);
    if (!r) return null;
    const back: OutboxRecord = { ...r, c: this.tabId };
    delete back.err;
    await this.store.put(back);
    return back;
  }

  /** Makes this tab responsible for a record of a tab that is gone; returns the adopted record. */
  async adopt(r: OutboxRecord): Promise<OutboxRecord> {
    const adopted: OutboxRecord = { ...r, c: this.tabId };
    await this.store.put(adopted);
    return adopted;
  }

  /** The delay before resending after a `retry: true` error, growing per record. */
  nextRetryDelay(id: string): number {
    const n = this.attempts.get(id) ?? 0;
    this.attempts.set(id, n + 1);
    return retryDelay(n);
  }

  /** Every well-formed record, oldest first (optionally of one channel). */
  async all(ch?: string): Promise<OutboxRecord[]> {
    let list: OutboxRecord[];
    try {
      list = await this.store.getAll();
    } catch {
      return [];
    }
    return list.filter((r) => isRecord(r) && (ch === undefined || r.ch === ch)).sort((a, b) => a.createdAt - b.createdAt);
  }
}
