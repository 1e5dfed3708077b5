// Other agents' cursors in a shared document (presence `s: {cursor: [start, end]}` on `draft:KEY`). A cursor is a
// position in the document, so every op applied locally (ours or a remote one) moves it exactly like text.
import { transformIndex, type TextOperation } from '../ot/text-operation';
import type { PresenceEntry } from '../protocol/server-frames';
import { isObj } from '../protocol/validation';

export interface RemoteCursor {
  /** the logical client (tab) */
  c: string;
  id: string;
  name: string;
  start: number;
  end: number;
}

/** The cursors other clients publish, clamped to the document. */
export function cursorsFromPresence(list: readonly PresenceEntry[], myClient: string, docLength: number): RemoteCursor[] {
  const out: RemoteCursor[] = [];
  for (const e of list) {
    if (e.c === myClient || !isObj(e.s) || !Array.isArray(e.s.cursor)) continue;
    const [a, b] = e.s.cursor as unknown[];
    if (typeof a !== 'number' || typeof b !== 'number' || !Number.isInteger(a) || !Number.isInteger(b)) continue;
    const start = clamp(Math.min(a, b), docLength);
    const end = clamp(Math.max(a, b), docLength);
    out.push({ c: e.c, id: e.id, name: e.name, start, end });
  }
  return out;
}

/**
 * Moves cursors through an op applied to the document they point into. An insert exactly at a caret goes after it
 * (the caret stays before text another client inserted at the same place), except inside a selection, which grows,
 * and except for the op's own author (`author`: the client op id of the op), whose caret moves past what they typed.
 */
export function transformCursors(cursors: readonly RemoteCursor[], op: TextOperation, author?: string): RemoteCursor[] {
  return cursors.map((k) => {
    const own = author !== undefined && author.startsWith(k.c + '-');
    const start = transformIndex(op, clamp(k.start, op.baseLength), own);
    const end = k.end === k.start ? start : transformIndex(op, clamp(k.end, op.baseLength), true);
    return { ...k, start, end: Math.max(start, end) };
  });
}

const clamp = (i: number, len: number): number => Math.max(0, Math.min(i, len));
