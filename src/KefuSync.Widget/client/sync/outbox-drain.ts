// Leader, after every welcome: resends every unconfirmed submit of this browser in the order it was written, whichever
// tab wrote it. Were each tab to resend its own, tabs would interleave by timing, and a message written before another
// could be committed after it. A live tab's record goes with its own `c`, so its ack reaches it; a gone tab's record
// is adopted first, so that if this leader dies too the next one sees it as an orphan again. When records of tabs not
// heard of yet are waiting (a fresh leader), it first waits a grace period for them to say hi. Resending a record that
// is in flight is safe: the server answers a duplicate `id` with the original revision.
//
// A file record (docs/protocol.md §9.6) is uploaded in its place in that order, and the drain waits for it: the records
// after it (a text typed after choosing the file) are sent only once the file's op is, so nothing overtakes it. A
// repeated upload is harmless (the same upload id is the same attachment, §9.1), so a leader that died mid-upload
// leaves nothing for the next one but to upload it again.
import type { SubmitFrame } from '../protocol/client-frames';
import { toUpload, type Outbox, type OutboxRecord } from './outbox';

/** How long a new leader waits for tabs to announce themselves before adopting records it cannot place. */
export const ORPHAN_GRACE_MS = 1500;

export interface DrainContext {
  readonly outbox: Outbox;
  isLive(c: string): boolean;
  isGone(c: string): boolean;
  /** some records were adopted: the other tabs re-read the outbox */
  adopted(): void;
  /**
   * Uploads a file record and returns it with its `att`, or null when it failed for good (the uploader marked it
   * failed; later records go on) or `current()` turned false. Throws when it cannot upload now (its script did not
   * load): the drain then stops, and the records after it wait for the next drain.
   */
  upload(r: OutboxRecord, current: () => boolean): Promise<OutboxRecord | null>;
}

export class OutboxDrain {
  private running: Promise<boolean> | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly cx: DrainContext,
    private readonly graceMs = ORPHAN_GRACE_MS,
  ) {}

  /**
   * While a drain runs, a new submit must wait behind it (see KefuClient.sendNow), else it would overtake older
   * messages; false when the drain stopped early (the submit is in the outbox: the next drain sends it, in order).
   * Null when none runs.
   */
  get gate(): Promise<boolean> | null {
    return this.running;
  }

  /** Starts a drain onto `send`; it stops early once `current()` is false (the next welcome drains again). */
  start(send: (f: SubmitFrame) => void, current: () => boolean): void {
    const done = this.run(send, current).catch(() => false).finally(() => {
      if (this.running === done) this.running = null;
    });
    this.running = done;
  }

  stop(): void {
    clearTimeout(this.graceTimer);
  }

  private async run(send: (f: SubmitFrame) => void, current: () => boolean): Promise<boolean> {
    const { outbox } = this.cx;
    const pending = async (): Promise<OutboxRecord[]> => (await outbox.all()).filter((r) => r.err === undefined);
    let recs = await pending();
    if (!current()) return false;
    if (recs.some((r) => !this.cx.isLive(r.c) && !this.cx.isGone(r.c))) {
      await new Promise((resolve) => {
        this.graceTimer = setTimeout(resolve, this.graceMs);
      });
      recs = await pending();
      if (!current()) return false;
    }
    let adopted = false;
    try {
      for (const rec of recs) {
        let r: OutboxRecord | null = rec;
        if (!this.cx.isLive(r.c)) {
          r = await outbox.adopt(r);
          adopted = true;
          if (!current()) return false;
        }
        if (toUpload(r)) {
          try {
            r = await this.cx.upload(r, current);
          } catch {
            return false;
          }
          if (!current()) return false;
          if (!r) continue;
        }
        send({ t: 'submit', c: r.c, ch: r.ch, id: r.id, rev: r.rev, op: r.op });
      }
      return true;
    } finally {
      if (adopted) this.cx.adopted();
    }
  }
}
