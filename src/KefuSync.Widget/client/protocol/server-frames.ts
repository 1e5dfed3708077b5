// Server → client frames of docs/protocol.md §2.2 and their validation. Every frame that reaches the sync layer, from
// the socket, the SSE fallback or another tab, goes through parseServerFrame: a malformed frame is dropped, never
// thrown. Unknown members are ignored (§2), so a newer server can add some; unknown frame types are dropped.
// (C#: Protocol/FrameWriter.cs writes these.)
import { parseAvailability, type Availability } from './availability';
import { isChannel } from './channels';
import { MAX_SERVER_FRAME_CHARS, PROTOCOL_VERSION } from './constants';
import { isClientId, isObj, isOpId, isRev, isStr, optStr } from './validation';

export type { Availability } from './availability';

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
  /** the anonymous conversation this hello merged into `conv` (§2.5): its tabs and unsent messages follow */
  merged?: string;
  hb: number;
  ttl: number;
  limits?: { maxFrame?: number; maxText?: number; maxFile?: unknown; fileTypes?: unknown };
  /** visitors: business hours and the offline form (§2.4) */
  avail?: Availability;
  /** visitors: the rating card's scale, `stars` or `thumbs`; absent when ratings are off (§2.2) */
  rating?: unknown;
  /** visitors: true when the server emails transcripts (§2.2, the `transcript` op of §4.2) */
  transcript?: unknown;
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
  /** the tag of a server-generated visitor name (protocol §2.2): consoles show it in their language */
  gen?: string;
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
  /** one of ErrorCode (§6); typed as string because a newer server may send a code this client does not know */
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
/** The availability changed since `welcome`: an agent edited the business hours (protocol §2.4). */
export interface AvailFrame {
  t: 'avail';
  avail: Availability;
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
  | AvailFrame
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
        (f.limits === undefined || isObj(f.limits)) &&
        (f.avail === undefined || parseAvailability(f.avail) !== null)
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
    case 'avail':
      return parseAvailability(f.avail) ? (f as unknown as AvailFrame) : null;
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

