// State of a message channel (`conv:*`, protocol §4.2): the ordered messages and the read markers. Pure; the caller
// feeds it validated `op` frames in revision order (see ChannelSession).
import { isObj } from '../protocol/validation';
import type { OpRecord } from '../protocol/server-frames';
import { parseAttachment, type Attachment } from '../protocol/attachment';

export interface ChatMessage {
  rev: number;
  id: string;
  by: string;
  ts: number;
  name: string;
  role: string;
  /** '' for a file sent without a caption */
  text: string;
  /** the file of the message (protocol §9.3); gone once recalled */
  att?: Attachment | undefined;
  edited?: boolean;
  recalled?: boolean;
  /** a handover's reason (role `sys`, protocol §4.2) */
  reason?: string;
}

export interface LogSnapshot {
  rev: number;
  msgs: ChatMessage[];
  /** highest `upTo` of a read op per author id */
  reads: Record<string, number>;
  /** author id → role */
  roles?: Record<string, string>;
  /** the latest `status` and `rate` ops (MessageLog.ops) */
  ops?: Record<string, OpRecord | undefined>;
}

/** How many messages the local cache keeps. */
export const CACHE_MESSAGES = 100;
const MAX_TEXT = 100000;

export class MessageLog {
  rev = 0;
  /** revisions up to `base` were skipped (tail subscribe) and not paged in yet (PagedMessageLog.prepend): 0 = complete */
  base = 0;
  /** edits/recalls whose target is older than what is loaded: applied when `prepend` brings the target */
  protected orphans = new Map<number, { text?: string; recalled?: boolean; by: string }>();
  messages: ChatMessage[] = [];
  /** author id → highest revision they have read */
  reads = new Map<string, number>();
  /** author id → role, learned from their ops (to tell agents' read markers from others) */
  roles = new Map<string, string>();
  /** the visitor's email from the latest `contact` op (the offline form), or null */
  contact: string | null = null;
  /**
   * The latest `status` and the latest `rate` op, by kind (protocol §4.2): whether the conversation is closed and
   * rated, which the rating card (kefu-closed.js) reads from here, so every tab shows what the log says.
   */
  ops: Record<string, OpRecord | undefined> = {};

  /** Applies one committed op (already checked to be at rev + 1). Returns the message it added or changed. */
  apply(r: OpRecord): ChatMessage | null {
    this.rev = r.rev;
    const op = r.op;
    if (!isObj(op) || typeof op.k !== 'string') return null;
    const role = typeof op.role === 'string' ? op.role : '';
    if (role) this.roles.set(r.by, role);
    switch (op.k) {
      case 'msg': {
        // §4.2: with a (valid) `att` the text is optional; without one it is required, as before files existed
        const att = parseAttachment(op.att);
        const text = op.text ?? (att && '');
        if (typeof text !== 'string' || text.length > MAX_TEXT) return null;
        const m: ChatMessage = {
          rev: r.rev,
          id: r.id,
          by: r.by,
          ts: r.ts,
          name: typeof op.name === 'string' ? op.name : '',
          role,
          text,
          att,
        };
        this.messages.push(m);
        return m;
      }
      case 'handover': {
        // a line of role `sys` with no author, so never "own" (§4.2, docs/bots.md); kefu-bot.js writes its words
        // the reason is for the console (as text); the visitor sees only the widget's own words
        const m: ChatMessage = { rev: r.rev, id: r.id, by: '', ts: r.ts, name: '', role: 'sys', text: '', reason: typeof op.reason === 'string' ? op.reason.slice(0, 200) : '' };
        this.messages.push(m);
        return m;
      }
      case 'read':
        if (typeof op.upTo === 'number' && Number.isSafeInteger(op.upTo)) {
          this.reads.set(r.by, Math.max(this.reads.get(r.by) ?? 0, op.upTo));
        }
        return null;
      case 'contact':
        if (typeof op.email === 'string' && op.email.length <= 254) this.contact = op.email;
        return null;
      case 'edit':
      case 'recall': {
        const m = this.find(op.target);
        if (!m && typeof op.target === 'number' && op.target <= this.base) {
          // the target is in the part of the history not paged in yet
          const prev = this.orphans.get(op.target);
          if (op.k === 'recall') this.orphans.set(op.target, { recalled: true, by: r.by });
          else if (typeof op.text === 'string' && !prev?.recalled) this.orphans.set(op.target, { text: op.text, by: r.by });
          return null;
        }
        // Only the author may edit or recall (the server enforces it; a client never trusts a replayed op blindly).
        if (!m || m.by !== r.by) return null;
        if (op.k === 'edit') {
          if (typeof op.text !== 'string' || op.text.length > MAX_TEXT) return null;
          m.text = op.text;
          m.edited = true;
        } else {
          m.text = '';
          m.recalled = true;
          m.att = undefined; // its files are deleted with the recall (§9.6)
        }
        return m;
      }
      default:
        // `status`, `rate`, `assign`: the latest of each kind
        this.ops[op.k] = r;
        return null;
    }
  }

  find(rev: unknown): ChatMessage | undefined {
    if (typeof rev !== 'number') return undefined;
    // messages are sorted by rev: binary search
    let lo = 0;
    let hi = this.messages.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.messages[mid];
      if (m === undefined) break; // lo..hi stays within the array; this only satisfies the index check
      if (m.rev === rev) return m;
      if (m.rev < rev) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** A revision marker (`snapshot` without doc on a message channel): older ops will not be replayed. */
  skipTo(rev: number): void {
    if (rev > this.rev) {
      if (this.messages.length === 0) this.base = rev;
      this.rev = rev;
    }
  }

  /** The highest revision read by anyone with role `role`, or by the author `by`. */
  readUpTo(filter: { role?: string; by?: string }): number {
    let max = 0;
    for (const [by, upTo] of this.reads) {
      if (filter.by !== undefined ? by === filter.by : this.roles.get(by) === filter.role) max = Math.max(max, upTo);
    }
    return max;
  }

  toSnapshot(limit = CACHE_MESSAGES): LogSnapshot {
    return { rev: this.rev, msgs: this.messages.slice(-limit), reads: Object.fromEntries(this.reads), roles: Object.fromEntries(this.roles), ops: this.ops };
  }

  /** Restores a cached snapshot; returns false (and changes nothing) when it is malformed. */
  restore(s: unknown): boolean {
    if (!isObj(s) || typeof s.rev !== 'number' || !Number.isSafeInteger(s.rev) || s.rev < 0 || !Array.isArray(s.msgs) || !isObj(s.reads)) {
      return false;
    }
    const msgs: ChatMessage[] = [];
    let prev = 0;
    for (const m of s.msgs as unknown[]) {
      if (!isObj(m) || typeof m.rev !== 'number' || m.rev <= prev || m.rev > s.rev || typeof m.text !== 'string' ||
          typeof m.by !== 'string' || typeof m.id !== 'string' || typeof m.ts !== 'number') return false;
      prev = m.rev;
      msgs.push({
        rev: m.rev, id: m.id, by: m.by, ts: m.ts, text: m.text,
        name: typeof m.name === 'string' ? m.name : '', role: typeof m.role === 'string' ? m.role : '',
        att: parseAttachment(m.att), ...(m.edited === true ? { edited: true } : {}), ...(m.recalled === true ? { recalled: true } : {}),
      });
    }
    this.rev = s.rev;
    this.messages = msgs;
    this.reads = new Map(Object.entries(s.reads).filter((e): e is [string, number] => typeof e[1] === 'number'));
    this.roles = new Map(
      Object.entries(isObj(s.roles) ? s.roles : {}).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    for (const m of msgs) if (m.role) this.roles.set(m.by, m.role);
    // read as it is: kefu-closed.js checks every member it uses (closed-state.ts)
    this.ops = { ...(s.ops as Record<string, OpRecord>) };
    return true;
  }

  reset(): void {
    this.rev = 0;
    this.base = 0;
    this.orphans.clear();
    this.messages = [];
    this.reads.clear();
    this.roles.clear();
    this.ops = {};
  }
}
