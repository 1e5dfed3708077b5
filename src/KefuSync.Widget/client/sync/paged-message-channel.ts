// A message channel that pages back with `history` (the console, which subscribes to a conversation's tail). Apart
// from MessageChannel so the visitor widget does not carry it (size.test.ts).
import { MessageChannel } from './message-channel';
import { PagedMessageLog } from './paged-message-log';

export class PagedMessageChannel extends MessageChannel {
  declare readonly log: PagedMessageLog;

  protected override newLog(): PagedMessageLog {
    return new PagedMessageLog();
  }

  /** Whether older messages than those loaded exist (a tail subscribe skipped them). */
  get hasOlder(): boolean {
    return this.log.base > 0;
  }

  /** Pages in up to `n` older ops with `history`; resolves to the number of messages added. */
  async loadOlder(n = 50): Promise<number> {
    const before = this.log.base;
    if (before <= 0) return 0;
    const ops = await this.client.fetchHistory(this.ch, before + 1, n);
    if (this.log.base !== before) return 0; // a concurrent page or a reset got there first
    const added = this.log.prepend(ops);
    this.changed();
    return added;
  }
}
