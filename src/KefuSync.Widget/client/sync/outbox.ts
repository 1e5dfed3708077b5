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
  /** set when it failed (the server's error code): shown as failed, not resent by itself */
  err?: string;
  /** the failure was retryable (`retry: true`, given up after MAX_AUTO_RETRIES): Retry may succeed */
  re?: true;
  /**
   * A chosen file (docs/protocol.md §9.6): its bytes as a Blob (IndexedDB stores it as it is, nothing is read into
   * memory), the upload id `u` chosen with it, its name, size and the browser's type. The op is `{k: 'msg'}` until
   * the file is uploaded; then it carries `att {id}` and is sent like any other record.
   */
  up?: FileEntry;
}

export interface FileEntry {
  u: string;
  b: Blob;
  n: string;
  s: number;
  t: string;
}

/** Whether a record is a file still to upload: it must never be sent before it is (its op has no `att` yet). */
export const toUpload = (r: OutboxRecord): boolean => !!r.up && !(r.op as { att?: unknown }).att;

/**
 * The unsent state of a text channel in one tab (text-channel.ts): its OT client's revision, the op in flight (with its
 * id, so whoever resends it is deduped), the edits queued behind it and the text in the box. Kept beside the message
 * records, so a send and the cleared draft are one write. `rev` -1: no snapshot yet, `doc` is all there is.
 */
export interface TextRecord {
  /** `~{c}~{ch}` */
  id: string;
  ch: string;
  c: string;
  createdAt: number;
  rev: number;
  doc: string;
  out?: { id: string; rev: number; op: unknown };
  buf?: unknown;
}

export interface OutboxStore {
  /** Puts and deletes in one transaction: all of them are stored, or none. */
  write(put: Array<OutboxRecord | TextRecord>, del?: string[]): Promise<void>;
  getAll(): Promise<unknown[]>;
}

export class MemoryOutboxStore implements OutboxStore {
  readonly map = new Map<string, OutboxRecord | TextRecord>();
  // Promise-returning like IndexedDB, so callers (and tests) see the same asynchrony.
  write(put: Array<OutboxRecord | TextRecord>, del: string[] = []): Promise<void> {
    for (const r of put) this.map.set(r.id, structuredCloneSafe(r));
    for (const id of del) this.map.delete(id);
    return Promise.resolve();
  }
  put(r: OutboxRecord | TextRecord): Promise<void> {
    return this.write([r]);
  }
  getAll(): Promise<unknown[]> {
    return Promise.resolve([...this.map.values()].map(structuredCloneSafe));
  }
}

// A copy as storage would give back; a file's Blob is kept as it is (IndexedDB stores a Blob, JSON does not).
const structuredCloneSafe = <T>(v: T): T => {
  const c = JSON.parse(JSON.stringify(v)) as T & { up?: FileEntry };
  const up = (v as { up?: FileEntry }).up;
  if (up) c.up = { ...up };
  return c;
};

/** Resends after `retry: true` errors before the message is shown failed (with Retry): about a minute. */
export const MAX_AUTO_RETRIES = 6;

/** Retry delays for `retry: true` errors: 1 s, 2 s, 4 s … capped at 30 s. */
export const retryDelay = (attempt: number): number => Math.min(30000, 1000 * 2 ** Math.min(attempt, 15));

/** Storage outlives versions of this script (and can be written by anyone on the origin): check what comes back. */
const isAny = (r: unknown): r is OutboxRecord & TextRecord =>
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
  async add(ch: string, id: string, op: unknown, rev: number, extra: TextRecord[] = [], up?: FileEntry): Promise<OutboxRecord> {
    const r: OutboxRecord = { id, ch, op, rev, c: this.tabId, createdAt: this.now(), ...(up && { up }) };
    await this.store.write([r, ...extra]);
    return r;
  }

  /** The server committed it. */
  async settle(id: string): Promise<void> {
    this.attempts.delete(id);
    await this.store.write([], [id]);
  }

  /** Writes a record back as it is now (a file record once uploaded). */
  put(r: OutboxRecord): Promise<void> {
    return this.store.write([r]);
  }

  /** Text states and what to delete, in one write. */
  text(put: TextRecord[], del: string[] = []): Promise<void> {
    return this.store.write(put, del).catch(() => {});
  }

  /** Every well-formed text state of `ch`. */
  async texts(ch: string): Promise<TextRecord[]> {
    return (await this.list()).filter((r) => typeof r.doc === 'string' && r.ch === ch);
  }

  private async list(): Promise<Array<OutboxRecord & TextRecord>> {
    try {
      return (await this.store.getAll()).filter(isAny);
    } catch {
      return [];
    }
  }

  /** It failed (refused for good, or retried enough): kept to show it as failed, with why (the user retries or drops it). */
  async fail(id: string, code: string, retryable = false): Promise<void> {
    const r = (await this.all()).find((x) => x.id === id);
    if (r) await this.store.write([{ ...r, err: code, ...(retryable ? { re: true as const } : {}) }]);
  }

  /** Takes a failed record back: clears the error and makes this tab responsible for it. */
  async unfail(id: string): Promise<OutboxRecord | null> {
    const r = (await this.all()).find((x) => x.id === id);
    if (!r) return null;
    const back: OutboxRecord = { ...r, c: this.tabId };
    delete back.err;
    delete back.re;
    this.attempts.delete(id);
    await this.store.write([back]);
    return back;
  }

  /** Makes this tab responsible for a record of a tab that is gone; returns the adopted record. */
  async adopt(r: OutboxRecord): Promise<OutboxRecord> {
    const adopted: OutboxRecord = { ...r, c: this.tabId };
    await this.store.write([adopted]);
    return adopted;
  }

  /** The delay before resending after a `retry: true` error, growing per record; -1 once MAX_AUTO_RETRIES are spent. */
  nextRetryDelay(id: string): number {
    const n = this.attempts.get(id) ?? 0;
    if (n >= MAX_AUTO_RETRIES) return -1;
    this.attempts.set(id, n + 1);
    return retryDelay(n);
  }

  /** Every well-formed record, oldest first (optionally of one channel). */
  async all(ch?: string): Promise<OutboxRecord[]> {
    return (await this.list()).filter((r) => typeof r.doc !== 'string' && (ch === undefined || r.ch === ch)).sort((a, b) => a.createdAt - b.createdAt);
  }
}
