// A message log that pages back (the console: `history` replies before what a tail subscribe loaded). Apart from
// MessageLog so the visitor widget, which loads its whole conversation, does not carry it (size.test.ts).
import type { OpRecord } from '../protocol/server-frames';
import { isObj } from '../protocol/validation';
import { MessageLog, type ChatMessage } from './message-log';

export class PagedMessageLog extends MessageLog {
  /**
   * Pages in older ops (a `history` reply, ascending, all at or below `base`): their messages go before the loaded
   * ones, their read markers count, and edits/recalls seen earlier for these messages are applied. Returns how many
   * messages were added.
   */
  prepend(ops: readonly OpRecord[]): number {
    const older: ChatMessage[] = [];
    const page = ops.filter((r) => r.rev <= this.base && r.rev >= 1);
    const lowest = page.reduce((m, r) => Math.min(m, r.rev), this.base + 1);
    const scratch = new PagedMessageLog();
    scratch.roles = this.roles;
    scratch.orphans = this.orphans;
    scratch.messages = older;
    // edits in this page whose target is older still become orphans
    scratch.base = lowest - 1;
    for (const r of page) {
      scratch.rev = r.rev - 1;
      const op = r.op;
      if (isObj(op) && op.k === 'read' && typeof op.upTo === 'number' && Number.isSafeInteger(op.upTo)) {
        this.reads.set(r.by, Math.max(this.reads.get(r.by) ?? 0, op.upTo));
        if (typeof op.role === 'string' && op.role) this.roles.set(r.by, op.role);
        continue;
      }
      scratch.apply(r);
    }
    older.sort((a, b) => a.rev - b.rev);
    for (const m of older) {
      const o = this.orphans.get(m.rev);
      if (o && o.by === m.by) {
        if (o.recalled) {
          m.text = '';
          m.recalled = true;
          m.att = undefined;
        } else if (o.text !== undefined) {
          m.text = o.text;
          m.edited = true;
        }
        this.orphans.delete(m.rev);
      }
    }
    this.messages = [...older, ...this.messages];
    this.base = page.length === 0 ? 0 : lowest - 1;
    return older.length;
  }

}
