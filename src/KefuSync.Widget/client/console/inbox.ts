// The agents' inbox (protocol §4.3) as a pure fold: every `list` item and every `inbox` op is one full conversation
// summary, and a later summary of the same key replaces the earlier one. Filters mirror the server's `list` filters,
// so the console can list once and filter locally while live summaries keep arriving.
import { isObj } from '../protocol/validation';

export interface Summary {
  key: string;
  status: 'open' | 'pending' | 'closed';
  assignee?: string;
  visitorId?: string;
  visitorName?: string;
  /** the tag of a server-generated visitor name (protocol §4.3 `visitorGen`): shown in the console's language */
  visitorGen?: string;
  fields?: Record<string, string>;
  lastText?: string;
  lastRole?: string;
  lastName?: string;
  lastRevision: number;
  activity: number;
  created: number;
  unreadRevisions: number[];
  agentRead: number;
  visitorRead: number;
  /** the visitor's email: left in the offline form (`contact` op) or signed by the host */
  email?: string;
  /** the visitor's rating of the last rated close, 1–5 (thumbs are 1 and 5; protocol §4.2 `rate`) */
  rating?: number;
  ratingComment?: string;
  /** merged into its visitor's signed-in conversation (protocol §2.5): no longer listed */
  merged?: true;
  /** handed over by a bot or asked for by the visitor, and no agent has it yet (protocol §4.3 `human`) */
  human?: boolean;
}

export type InboxFilter = 'all' | 'mine' | 'unassigned' | 'closed';
export const FILTERS: readonly InboxFilter[] = ['all', 'mine', 'unassigned', 'closed'];

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Validates one summary from the wire; null when it is not one. Unknown members are dropped. */
/** A generated visitor name's tag as the server sends it (4 lowercase hex digits, protocol §4.3); anything else is ignored. */
export function genTag(v: unknown): string | undefined {
  return typeof v === 'string' && /^[0-9a-f]{4}$/.test(v) ? v : undefined;
}

export function parseSummary(v: unknown): Summary | null {
  if (!isObj(v) || typeof v.key !== 'string' || !v.key) return null;
  const status = v.status === 'pending' || v.status === 'closed' ? v.status : 'open';
  const fields: Record<string, string> = {};
  if (isObj(v.fields)) for (const [k, x] of Object.entries(v.fields)) if (typeof x === 'string') fields[k] = x;
  const s: Summary = {
    key: v.key,
    status,
    lastRevision: num(v.lastRevision),
    activity: num(v.activity),
    created: num(v.created),
    unreadRevisions: Array.isArray(v.unreadRevisions) ? v.unreadRevisions.filter((r): r is number => typeof r === 'number') : [],
    agentRead: num(v.agentRead),
    visitorRead: num(v.visitorRead),
  };
  const opt = { assignee: str(v.assignee), visitorId: str(v.visitorId), visitorName: str(v.visitorName), lastText: str(v.lastText), lastRole: str(v.lastRole), lastName: str(v.lastName), email: str(v.email) };
  for (const [k, x] of Object.entries(opt)) if (x !== undefined) (s as unknown as Record<string, unknown>)[k] = x;
  if (Object.keys(fields).length) s.fields = fields;
  const gen = genTag(v.visitorGen);
  if (gen) s.visitorGen = gen;
  if (v.human === true) s.human = true;
  // only a score the server can have stored: anything else is dropped, never shown as stars
  if (typeof v.rating === 'number' && Number.isInteger(v.rating) && v.rating >= 1 && v.rating <= 5) {
    s.rating = v.rating;
    const c = str(v.ratingComment);
    if (c) s.ratingComment = c;
  }
  if (v.merged === true) s.merged = true;
  return s;
}

/** Whether a summary belongs under a filter, for the agent `me` (e.g. `agent:alice`). Same rules as the server. */
export function matches(s: Summary, f: InboxFilter, me: string): boolean {
  switch (f) {
    case 'mine':
      return s.assignee === me && s.status !== 'closed';
    case 'unassigned':
      return !s.assignee && s.status !== 'closed';
    case 'closed':
      return s.status === 'closed';
    default:
      return s.status !== 'closed';
  }
}

/** What a new summary means for notifications. */
export interface Change {
  summary: Summary;
  previous: Summary | undefined;
  /** a conversation the console had not seen */
  isNew: boolean;
  /** the visitor wrote something new */
  visitorMessage: boolean;
}

export class InboxModel {
  private readonly map = new Map<string, Summary>();

  get size(): number {
    return this.map.size;
  }

  get(key: string): Summary | undefined {
    return this.map.get(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Folds one summary in (the later one wins). */
  apply(s: Summary): Change {
    const previous = this.map.get(s.key);
    if (s.merged) {
      // its history lives in the visitor's signed-in conversation now: one conversation per person, and nothing to notify
      this.map.delete(s.key);
      return { summary: s, previous, isNew: false, visitorMessage: false };
    }
    this.map.set(s.key, s);
    const visitorMessage = s.lastRole === 'visitor' && s.lastRevision > (previous?.lastRevision ?? 0) && s.unreadRevisions.length > (previous?.unreadRevisions.length ?? 0);
    return { summary: s, previous, isNew: previous === undefined, visitorMessage };
  }

  /** The conversations under a filter, newest activity first (ties: newest created, then key). */
  view(f: InboxFilter, me: string): Summary[] {
    return [...this.map.values()].filter((s) => matches(s, f, me)).sort(byActivity);
  }

  /** How many conversations each filter holds. */
  counts(me: string): Record<InboxFilter, number> {
    const c = { all: 0, mine: 0, unassigned: 0, closed: 0 };
    for (const s of this.map.values()) for (const f of FILTERS) if (matches(s, f, me)) c[f]++;
    return c;
  }

  /** Unread visitor messages over the conversations that are not closed (the title badge). */
  unreadTotal(): number {
    let n = 0;
    for (const s of this.map.values()) if (s.status !== 'closed') n += unread(s);
    return n;
  }
}

export const unread = (s: Summary): number => s.unreadRevisions.length;

export function byActivity(a: Summary, b: Summary): number {
  return b.activity - a.activity || b.created - a.created || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** `(3) Title`, or the title itself when nothing is unread. */
export function badgeTitle(title: string, unreadCount: number): string {
  const base = title.replace(/^\(\d+\+?\) /, '');
  return unreadCount > 0 ? `(${unreadCount > 99 ? '99+' : unreadCount}) ${base}` : base;
}
