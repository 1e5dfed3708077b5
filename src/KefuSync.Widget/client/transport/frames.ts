// Wire frames of docs/protocol.md (version 1) and their validation. Every frame that reaches the sync layer, from the
// socket, the SSE fallback or another tab, goes through parseServerFrame: a malformed frame is dropped, never thrown.
// Unknown members are ignored (§2), unknown frame types are dropped.

export const PROTOCOL_VERSION = 1;
/** Limits.MaxFrameBytes default; a frame larger than this is neither sent nor accepted. */
export const MAX_FRAME_CHARS = 65536;
/** Server frames may be larger than client frames (history replies, snapshots); cap what we are willing to parse. */
export const MAX_SERVER_FRAME_CHARS = 4 * 1024 * 1024;

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CHANNEL = /^[A-Za-z0-9:_.-]{1,128}$/;
const OP_ID = /^[\x20-\x7e]{1,64}$/;

export const isClientId = (v: unknown): v is string => typeof v === 'string' && CLIENT_ID.test(v);
export const isChannel = (v: unknown): v is string => typeof v === 'string' && CHANNEL.test(v);
export const isOpId = (v: unknown): v is string => typeof v === 'string' && OP_ID.test(v);
export const isRev = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const optStr = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

// ---- server → client ----

export interface Me {
  id: string;
  name: string;
  role: string;
}
export interface WelcomeFrame {
  t: 'welcome';
  v: number;
  server: string;
  conn: string;
  me: Me;
  token?: string;
  conv?: string;
  hb: number;
  ttl: number;
  limits?: { maxFrame?: number; maxText?: number };
}
/** One committed op (an `op` frame without `t`, as in `history.ops`). */
export interface OpRecord {
  ch: string;
  rev: number;
  id: string;
  by: string;
  ts: number;
  op: unknown;
}
export interface OpFrame extends OpRecord {
  t: 'op';
}
export interface AckFrame {
  t: 'ack';
  c: string;
  ch: string;
  id: string;
  rev: number;
  dup?: boolean;
}
export interface SnapshotFrame {
  t: 'snapshot';
  ch: string;
  rev: number;
  /** the text of a text channel; absent/null for a message channel's revision marker */
  doc?: string | null;
}
export interface SubbedFrame {
  t: 'subbed';
  ch: string;
  rev: number;
}
export interface PresenceEntry {
  id: string;
  name: string;
  role: string;
  c: string;
  s: unknown;
  /** a visitor's conversation key (protocol §2.2) */
  conv?: string;
}
export interface PresenceFrame {
  t: 'presence';
  ch: string;
  list: PresenceEntry[];
}
export interface HistoryFrame {
  t: 'history';
  ch: string;
  q?: string;
  ops: OpRecord[];
}
export interface ErrorFrame {
  t: 'error';
  code: string;
  msg: string;
  retry: boolean;
  c?: string;
  ch?: string;
  id?: string;
  q?: string;
}
export interface PongFrame {
  t: 'pong';
  q?: string;
}
/** Reply to `list` (agents): conversation summaries (protocol §4.3), validated by the console's inbox model. */
export interface ListFrame {
  t: 'list';
  q?: string;
  rev: number;
  items: unknown[];
}
export type ServerFrame =
  | WelcomeFrame
  | OpFrame
  | AckFrame
  | SnapshotFrame
  | SubbedFrame
  | PresenceFrame
  | HistoryFrame
  | ErrorFrame
  | PongFrame
  | ListFrame;

function isOpRecord(o: unknown, ch?: string): o is OpRecord {
  return (
    isObj(o) &&
    (ch === undefined ? isChannel(o.ch) : o.ch === undefined || o.ch === ch) &&
    isRev(o.rev) &&
    o.rev > 0 &&
    isOpId(o.id) &&
    isStr(o.by) &&
    typeof o.ts === 'number' &&
    Number.isFinite(o.ts) &&
    o.op !== undefined
  );
}

function isPresenceEntry(e: unknown): e is PresenceEntry {
  return isObj(e) && isStr(e.id) && isStr(e.name) && isStr(e.role) && isStr(e.c) && optStr(e.conv);
}

/** Validates a parsed frame; returns it typed, or null when it is not a well-formed known server frame. */
export function validateServerFrame(f: unknown): ServerFrame | null {
  if (!isObj(f) || !isStr(f.t)) return null;
  switch (f.t) {
    case 'welcome':
      return f.v === PROTOCOL_VERSION &&
        isStr(f.conn) &&
        isObj(f.me) &&
        isStr(f.me.id) &&
        isStr(f.me.name) &&
        isStr(f.me.role) &&
        optStr(f.token) &&
        optStr(f.conv) &&
        optStr(f.server) &&
        isRev(f.hb) &&
        isRev(f.ttl) &&
        (f.limits === undefined || isObj(f.limits))
        ? (f as unknown as WelcomeFrame)
        : null;
    case 'op':
      return isOpRecord(f) ? (f as unknown as OpFrame) : null;
    case 'ack':
      return isClientId(f.c) && isChannel(f.ch) && isOpId(f.id) && isRev(f.rev) && (f.dup === undefined || typeof f.dup === 'boolean')
        ? (f as unknown as AckFrame)
        : null;
    case 'snapshot':
      return isChannel(f.ch) && isRev(f.rev) && optStr(f.doc) ? (f as unknown as SnapshotFrame) : null;
    case 'subbed':
      return isChannel(f.ch) && isRev(f.rev) ? (f as unknown as SubbedFrame) : null;
    case 'presence':
      return isChannel(f.ch) && Array.isArray(f.list) && f.list.every(isPresenceEntry) ? (f as unknown as PresenceFrame) : null;
    case 'history': {
      const ch = f.ch;
      return isChannel(ch) && optStr(f.q) && Array.isArray(f.ops) && f.ops.every((o) => isOpRecord(o, ch))
        ? (f as unknown as HistoryFrame)
        : null;
    }
    case 'error':
      return isStr(f.code) &&
        optStr(f.msg) &&
        (f.retry === undefined || typeof f.retry === 'boolean') &&
        optStr(f.c) &&
        optStr(f.ch) &&
        optStr(f.id) &&
        optStr(f.q)
        ? ({ ...f, msg: f.msg ?? '', retry: f.retry === true } as unknown as ErrorFrame)
        : null;
    case 'pong':
      return optStr(f.q) ? (f as unknown as PongFrame) : null;
    case 'list':
      return optStr(f.q) && isRev(f.rev) && Array.isArray(f.items) ? (f as unknown as ListFrame) : null;
    default:
      return null;
  }
}

/** Parses and validates one frame's text. Never throws. */
export function parseServerFrame(text: unknown): ServerFrame | null {
  if (typeof text !== 'string' || text.length > MAX_SERVER_FRAME_CHARS) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  return validateServerFrame(v);
}

// ---- client → server ----

export interface HelloFrame {
  t: 'hello';
  v: number;
  client: string;
  token?: string;
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
/** Agents: the inbox (protocol §2.1 `list`). */
export interface ListRequestFrame {
  t: 'list';
  f?: 'all' | 'mine' | 'unassigned' | 'closed';
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

function jsonSize(v: unknown): number {
  try {
    const s = JSON.stringify(v);
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
      return isRev(f.n) && f.n > 0 && f.n <= 1000 ? { t: 'sub', c: from, ch: f.ch, rev: f.rev, n: f.n } : null;
    case 'unsub':
      return f.c === from && isChannel(f.ch) ? { t: 'unsub', c: from, ch: f.ch } : null;
    case 'submit':
      return f.c === from && isChannel(f.ch) && isOpId(f.id) && isRev(f.rev) && f.op !== undefined && jsonSize(f.op) < MAX_FRAME_CHARS
        ? { t: 'submit', c: from, ch: f.ch, id: f.id, rev: f.rev, op: f.op }
        : null;
    case 'presence':
      return f.c === from && isChannel(f.ch) && f.s !== undefined && jsonSize(f.s) <= 1024
        ? { t: 'presence', c: from, ch: f.ch, s: f.s }
        : null;
    case 'history':
      return isChannel(f.ch) && isRev(f.rev) && isRev(f.n) && f.n <= 200 && isStr(f.q) && f.q.length <= 64
        ? { t: 'history', ch: f.ch, rev: f.rev, n: f.n, q: f.q }
        : null;
    case 'list':
      return (f.f === undefined || f.f === 'all' || f.f === 'mine' || f.f === 'unassigned' || f.f === 'closed') &&
        (f.n === undefined || (isRev(f.n) && f.n > 0 && f.n <= 500)) &&
        (f.q === undefined || (isStr(f.q) && f.q.length <= 64))
        ? { t: 'list', ...(f.f !== undefined ? { f: f.f } : {}), ...(f.n !== undefined ? { n: f.n } : {}), ...(f.q !== undefined ? { q: f.q } : {}) }
        : null;
    case 'bye':
      return f.c === from ? { t: 'bye', c: from } : null;
    default:
      return null;
  }
}
