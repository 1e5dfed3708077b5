// A settings channel (`settings:hours`, protocol §4.4): the last op counts. The console keeps it subscribed, shows the
// last op (or the site's configuration when there is none, or after a reset) and saves with one `submit`. A save is not
// queued in the outbox: a settings change made offline is refused at once ("not saved") rather than applied later over
// another agent's newer one.
import type { AckFrame, ErrorFrame, OpFrame, SnapshotFrame } from '../protocol/server-frames';
import type { ChannelHandler } from '../sync/channel-handler';
import type { KefuClient } from '../sync/kefu-client';
import { judge } from '../sync/revision';
import { Emitter } from '../util/emitter';

export interface SettingsEvents {
  /** the last op changed (null: none, the configuration applies) */
  change(last: Record<string, unknown> | null, by: string): void;
  /** the save `id` was committed (ok) or refused (its error) */
  saved(id: string, error: ErrorFrame | null): void;
}

export class SettingsChannel extends Emitter<SettingsEvents> implements ChannelHandler {
  rev = 0;
  last: Record<string, unknown> | null = null;
  private readonly detach: () => void;

  constructor(
    private readonly client: KefuClient,
    readonly ch: string,
  ) {
    super();
    this.detach = client.attach(this);
  }

  close(): void {
    this.detach();
  }

  /** Sends `op`; returns its id, or null when the connection is not open (nothing was sent). */
  save(op: Record<string, unknown>): string | null {
    const id = this.client.nextId();
    return this.client.send({ t: 'submit', c: this.client.tabId, ch: this.ch, id, rev: this.rev, op }) ? id : null;
  }

  op(f: OpFrame): void {
    const v = judge(this.rev, f.rev);
    if (v === 'gap') this.client.resubscribe(this.ch);
    if (v !== 'apply') return;
    this.rev = f.rev;
    const op = f.op as Record<string, unknown> | null;
    this.last = op && typeof op === 'object' && op.k === 'hours' ? op : null;
    this.emit('change', this.last, typeof op?.name === 'string' ? op.name : '');
  }

  ack(f: AckFrame): void {
    this.emit('saved', f.id, null);
  }

  error(f: ErrorFrame): void {
    if (f.id) this.emit('saved', f.id, f);
  }

  snapshot(f: SnapshotFrame): void {
    // a message-style channel: the replay starts after f.rev (only when it was trimmed; settings never are)
    if (f.rev > this.rev) this.rev = f.rev;
  }

  subbed(): void {}
  presence(): void {}
  resubscribed(): void {}
}
