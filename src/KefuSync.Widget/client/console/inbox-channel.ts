// The live inbox: `list` (open ones, then closed ones) folded into an InboxModel, then `sub` to `inbox` from the
// revision the lists reflect; each inbox op is one full summary. A snapshot marker past our revision means the inbox
// log was trimmed: list again. Reconnects resubscribe from the last applied revision (KefuClient does it).
import type { ErrorFrame, OpFrame, SnapshotFrame } from '../protocol/server-frames';
import type { ChannelHandler } from '../sync/channel-handler';
import type { KefuClient } from '../sync/kefu-client';
import { judge } from '../sync/revision';
import { Emitter } from '../util/emitter';
import { InboxModel, parseSummary, type Change } from './inbox';
import { INBOX_CHANNEL } from '../protocol/channels';
import { ErrorCode } from '../protocol/error-codes';

export interface InboxEvents {
  /** the whole inbox was (re)loaded */
  loaded(): void;
  /** one live summary arrived */
  change(c: Change): void;
}

export class InboxChannel extends Emitter<InboxEvents> implements ChannelHandler {
  readonly ch = INBOX_CHANNEL;
  rev = 0;
  readonly model = new InboxModel();
  loaded = false;
  private detach: (() => void) | null = null;
  private loading = false;

  constructor(private readonly client: KefuClient) {
    super();
    client.on('welcome', () => {
      if (!this.detach) void this.load();
    });
    if (client.state === 'open') void this.load();
  }

  close(): void {
    this.detach?.();
    this.detach = null;
  }

  /** Lists the inbox and follows it from there. */
  async load(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    try {
      const open = await this.client.list('all', 500);
      const closed = await this.client.list('closed', 500);
      this.detach?.();
      this.detach = null;
      this.model.clear();
      for (const item of [...open.items, ...closed.items]) {
        const s = parseSummary(item);
        if (s) this.model.apply(s);
      }
      this.rev = Math.min(open.rev, closed.rev);
      this.loaded = true;
      this.emit('loaded');
      this.detach = this.client.attach(this);
    } catch {
      // offline: the next welcome lists again; a store hiccup while connected: try again shortly
      if (this.client.state === 'open') setTimeout(() => !this.detach && void this.load(), 3000);
    } finally {
      this.loading = false;
    }
  }

  op(f: OpFrame): void {
    const v = judge(this.rev, f.rev);
    if (v === 'old') return;
    if (v === 'gap') {
      this.client.resubscribe(this.ch);
      return;
    }
    this.rev = f.rev;
    const s = parseSummary(f.op);
    if (s) this.emit('change', this.model.apply(s));
  }

  snapshot(f: SnapshotFrame): void {
    // the summaries after our revision were trimmed: only a new list is complete
    if (f.rev > this.rev) {
      this.close();
      void this.load();
    }
  }

  // The inbox is written by the server only: no acks of ours, no presence, nothing to do after a replay.
  subbed(): void {}
  ack(): void {}
  error(f: ErrorFrame): void {
    // `sub` refused with future_base: the inbox we listed is ahead of the server's (a reset store). List again.
    if (f.code === ErrorCode.FutureBase) {
      this.close();
      void this.load();
    }
  }
  presence(): void {}
  resubscribed(): void {}
}
