// Client → server frames of docs/protocol.md §2.1, and the check the leader tab makes before it relays another tab's
// frame onto the shared socket (C#: Protocol/ClientFrame.cs and FrameParser.cs read these on the server).
import { isChannel } from './channels';
import { MAX_FRAME_CHARS, MAX_HISTORY_OPS, MAX_LIST_ITEMS, MAX_PRESENCE_STATE_CHARS, MAX_SUB_TAIL } from './constants';
import { isObj, isOpId, isQuery, isRev, isStr } from './validation';

export interface HelloFrame {
  t: 'hello';
  v: number;
  client: string;
  token?: string;
  /** the browser's anonymous token, presented with a signed-in `token` to merge its conversation (§2.5) */
  anon?: string | undefined;
  agent?: boolean;
}
export interface SubFrame {
  t: 'sub';
  c: string;
  ch: string;
  rev: number;
  /** message channels, rev 0: only the last n ops (older ones are paged with `history`) */
  n?: number;
}
export interface UnsubFrame {
  t: 'unsub';
  c: string;
  ch: string;
}
export interface SubmitFrame {
  t: 'submit';
  c: string;
  ch: string;
  id: string;
  rev: number;
  op: unknown;
}
export interface PresenceSetFrame {
  t: 'presence';
  c: string;
  ch: string;
  s: unknown;
}
export interface HistoryRequestFrame {
  t: 'history';
  ch: string;
  rev: number;
  n: number;
  q: string;
}
/** The `list` filters (§2.1); `all` when absent. */
export const LIST_FILTERS = ['all', 'mine', 'unassigned', 'closed'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];
const isListFilter = (v: unknown): v is ListFilter => (LIST_FILTERS as readonly unknown[]).includes(v);

/** Agents: the inbox (protocol §2.1 `list`). */
export interface ListRequestFrame {
  t: 'list';
  f?: ListFilter;
  n?: number;
  q?: string;
}
export interface ByeFrame {
  t: 'bye';
  c: string;
}
export interface PingFrame {
  t: 'ping';
  q?: string;
}
/** A frame a logical client (tab) may ask the leader to send; hello and ping are the connection's own. */
export type TabFrame = SubFrame | UnsubFrame | SubmitFrame | PresenceSetFrame | HistoryRequestFrame | ListRequestFrame | ByeFrame;
export type ClientFrame = TabFrame | HelloFrame | PingFrame;

/** The length `v` has on the wire; Infinity when it has none (a function, undefined) or cannot be serialized (a cycle). */
function jsonSize(v: unknown): number {
  try {
    // lib.d.ts says string, but JSON.stringify returns undefined for undefined, functions and symbols
    const s = JSON.stringify(v) as string | undefined;
    return s === undefined ? Infinity : s.length;
  } catch {
    return Infinity;
  }
}

/**
 * Validates a frame another tab asks the leader to relay. `from` is the sending tab: a tab may only speak for itself
 * (its `c`), so a buggy or hostile tab cannot unsubscribe or impersonate another. Returns a clean copy (only known
 * members), or null.
 */
export function validateTabFrame(f: unknown, from: string): TabFrame | null {
  if (!isObj(f) || !isStr(f.t)) return null;
  switch (f.t) {
    case 'sub':
      if (!(f.c === from && isChannel(f.ch) && isRev(f.rev))) return null;
      if (f.n === undefined) return { t: 'sub', c: from, ch: f.ch, rev: f.rev };
      return isRev(f.n) && f.n > 0 && f.n <= MAX_SUB_TAIL ? { t: 'sub', c: from, ch: f.ch, rev: f.rev, n: f.n } : null;
    case 'unsub':
      return f.c === from && isChannel(f.ch) ? { t: 'unsub', c: from, ch: f.ch } : null;
    case 'submit':
      return f.c === from && isChannel(f.ch) && isOpId(f.id) && isRev(f.rev) && f.op !== undefined && jsonSize(f.op) < MAX_FRAME_CHARS
        ? { t: 'submit', c: from, ch: f.ch, id: f.id, rev: f.rev, op: f.op }
        : null;
    case 'presence':
      return f.c === from && isChannel(f.ch) && f.s !== undefined && jsonSize(f.s) <= MAX_PRESENCE_STATE_CHARS
        ? { t: 'presence', c: from, ch: f.ch, s: f.s }
        : null;
    case 'history':
      return isChannel(f.ch) && isRev(f.rev) && isRev(f.n) && f.n <= MAX_HISTORY_OPS && isQuery(f.q)
        ? { t: 'history', ch: f.ch, rev: f.rev, n: f.n, q: f.q }
        : null;
    case 'list':
      return (f.f === undefined || isListFilter(f.f)) &&
        (f.n === undefined || (isRev(f.n) && f.n > 0 && f.n <= MAX_LIST_ITEMS)) &&
        (f.q === undefined || isQuery(f.q))
        ? { t: 'list', ...(f.f !== undefined ? { f: f.f } : {}), ...(f.n !== undefined ? { n: f.n } : {}), ...(f.q !== undefined ? { q: f.q } : {}) }
        : null;
    case 'bye':
      return f.c === from ? { t: 'bye', c: from } : null;
    default:
      return null;
  }
}
