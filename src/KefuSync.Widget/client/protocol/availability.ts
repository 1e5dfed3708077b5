// The `avail` object of a visitor's welcome and of `GET {prefix}/availability` (protocol §2.4). Its own module: the
// lazily loaded offline form (kefu-away.js) needs it without the rest of the frame parser.
import { isObj } from './validation';

/** §2.4: `open` now; `back`/`next` instants in Unix ms; what to do outside hours; whether to ask for an email. */
export interface Availability {
  open: boolean;
  back?: number;
  next?: number;
  out: 'form' | 'hide' | 'chat';
  ask: 'optional' | 'required' | 'off';
}

/** Validates an `avail` object (welcome, or `GET {prefix}/availability`); null when it is not one. */
export function parseAvailability(v: unknown): Availability | null {
  if (!isObj(v) || typeof v.open !== 'boolean') return null;
  const out = v.out === 'hide' || v.out === 'chat' ? v.out : v.out === 'form' ? 'form' : null;
  const ask = v.ask === 'required' || v.ask === 'off' ? v.ask : v.ask === 'optional' ? 'optional' : null;
  if (!out || !ask) return null;
  const a: Availability = { open: v.open, out, ask };
  if (typeof v.back === 'number' && Number.isSafeInteger(v.back)) a.back = v.back;
  if (typeof v.next === 'number' && Number.isSafeInteger(v.next)) a.next = v.next;
  return a;
}
