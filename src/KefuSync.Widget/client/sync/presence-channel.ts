// A presence-only subscription (the `site` channel, or any channel whose presence alone matters to a view).
import type { PresenceEntry, PresenceFrame } from '../protocol/server-frames';
import { Emitter } from '../util/emitter';
import type { ChannelHandler } from './channel-handler';
import type { KefuClient } from './kefu-client';

export class PresenceChannel extends Emitter<{ presence(list: PresenceEntry[]): void }> implements ChannelHandler {
  readonly rev = 0;
  list: PresenceEntry[] = [];
  private readonly detach: () => void;

  constructor(client: KefuClient, readonly ch: string) {
    super();
    this.detach = client.attach(this);
  }

  close(): void {
    this.detach();
  }

  presence(f: PresenceFrame): void {
    this.list = f.list;
    this.emit('presence', f.list);
  }
  op(): void {}
  snapshot(): void {}
  subbed(): void {}
  ack(): void {}
  error(): void {}
  resubscribed(): void {}
}
