// What a channel's state object (MessageChannel, TextChannel, PresenceChannel, the console's InboxChannel) implements
// to receive its frames. The dispatcher routes by `ch`; the subscriptions resubscribe from `rev`.
import type { AckFrame, ErrorFrame, OpFrame, PresenceFrame, SnapshotFrame, SubbedFrame } from '../protocol/server-frames';

export interface ChannelHandler {
  readonly ch: string;
  /** the last applied revision: what `sub` sends */
  readonly rev: number;
  op(f: OpFrame): void;
  snapshot(f: SnapshotFrame): void;
  subbed(f: SubbedFrame): void;
  /** an ack for this tab */
  ack(f: AckFrame): void;
  /** an error about a frame of this tab on this channel */
  error(f: ErrorFrame): void;
  presence(f: PresenceFrame): void;
  /** a `sub` was just sent (after a welcome, or a gap) */
  resubscribed(): void;
  /** message channels: with rev 0, subscribe to only the last `tail` ops (older ones are paged with history) */
  readonly tail?: number;
  /** the outbox changed in some tab (message channels re-read their pending messages) */
  outboxChanged?(): void | Promise<void>;
}
