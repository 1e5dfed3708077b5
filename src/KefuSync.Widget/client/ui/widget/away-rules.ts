// What "nobody is there" means for the widget (issue 15 items 1-2), as one pure function used by the main bundle
// (launcher, compose lock, whether to load the offline form at all) and by the lazily loaded form itself.
import type { Availability } from '../../protocol/availability';

export interface AwayState {
  /** agents available now (on `site` and not away, or in this conversation) */
  agentsOnline: boolean;
  /** the conversation has messages (a hidden launcher still lets a visitor back into an existing chat) */
  hasMessages: boolean;
  /** the chat window is open */
  open: boolean;
}

export interface AwayRules {
  /** outside business hours now */
  outside: boolean;
  /** no agent available: outside hours, or nobody online */
  unavailable: boolean;
  /** the email is required (never in `chat` mode outside hours: the chat stays open) */
  required: boolean;
  /** the offline form or the "back at" note has something to show */
  panel: boolean;
  /** the launcher is shown */
  launcher: boolean;
  /** sending waits for an email */
  lock: boolean;
}

export function awayRules(a: Availability | null, st: AwayState, email: string | null): AwayRules {
  const outside = a !== null && !a.open;
  const unavailable = outside || !st.agentsOnline;
  const ask = a?.ask ?? 'off';
  const required = ask === 'required' && !(outside && a.out === 'chat');
  return {
    outside,
    unavailable,
    required,
    panel: outside || (unavailable && ask !== 'off'),
    launcher: !(outside && a.out === 'hide' && !st.hasMessages && !st.open),
    lock: unavailable && required && email === null,
  };
}
