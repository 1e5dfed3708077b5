// What the closed conversation's card shows, from the log and the outbox alone (protocol §4.2): every tab has the
// same log, so every tab shows the same card. Pure: closed-card.ts draws it, closed-state.test.ts pins it.
//
// Closed: the latest `status` op says `closed` and no visitor `msg` came after it (the server reopens the conversation
// on one, the same rule as ConversationRules.RatingAfter). Rated: a `rate` op after that close. The log's ops come
// from the server or from this browser's cache, so every member is checked before it is used.
import { isObj } from '../../protocol/validation';
import type { MessageLog } from '../../sync/message-log';
import type { OutboxRecord } from '../../sync/outbox';

/** The scale of `welcome.rating` (§2.2); null: ratings are off, the card only says the conversation is closed. */
export type RatingMode = 'stars' | 'thumbs' | null;

export interface ClosedState {
  /** the revision of the close: the card belongs to that close (a new close is a new card) */
  close: number;
  /** the score of this close's `rate` op in the log */
  rated?: number | undefined;
  /** a `rate` of this browser still in the outbox, not refused */
  sending?: number | undefined;
  /** a `rate` of this browser the server refused: its outbox id and the error code */
  refused?: { id: string; code: string } | undefined;
  /** the address of this close's latest `transcript` request in the log (the email is on its way) */
  mailed?: string | undefined;
  /** a `transcript` request of this browser still in the outbox */
  mailing?: string | undefined;
  /** a `transcript` request the server refused */
  mailRefused?: { id: string; code: string } | undefined;
}

export const ratingMode = (v: unknown): RatingMode => (v === 'stars' || v === 'thumbs' ? v : null);

const score = (op: unknown): number | undefined =>
  isObj(op) && typeof op.score === 'number' && Number.isInteger(op.score) && op.score >= 1 && op.score <= 5 ? op.score : undefined;

const email = (op: unknown): string | undefined => (isObj(op) && typeof op.email === 'string' && op.email.length <= 254 ? op.email : undefined);

/** The card of the conversation, or null when it is not closed (never closed, or reopened). */
export function closedState(log: MessageLog, pending: readonly OutboxRecord[]): ClosedState | null {
  const st = log.ops.status;
  if (!st || !isObj(st.op) || st.op.status !== 'closed' || typeof st.rev !== 'number') return null;
  const close = st.rev;
  if (log.messages.some((m) => m.rev > close && m.role === 'visitor')) return null;
  const r = log.ops.rate;
  const t = log.ops.transcript;
  const state: ClosedState = {
    close,
    rated: r && typeof r.rev === 'number' && r.rev > close ? score(r.op) : undefined,
    mailed: t && typeof t.rev === 'number' && t.rev > close ? email(t.op) : undefined,
  };
  for (const p of pending) {
    if (!isObj(p.op)) continue;
    if (p.op.k === 'rate') {
      if (p.err !== undefined) state.refused = { id: p.id, code: p.err };
      else state.sending = score(p.op);
    } else if (p.op.k === 'transcript') {
      if (p.err !== undefined) state.mailRefused = { id: p.id, code: p.err };
      else state.mailing = email(p.op);
    }
  }
  return state;
}
