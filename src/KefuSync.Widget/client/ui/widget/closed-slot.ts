// The main bundle's side of the closed conversation: the message log keeps the latest `status` and `rate` ops
// (sync/message-log.ts), and the widget loads kefu-closed.js the first time the log says the conversation is closed.
// The card itself (the rating, the comment, the refusal, the transcript request) is all in that script: most page
// views never show a closed conversation, so the bundle every visitor loads carries only this call (size.test.ts).
import type { KefuClient } from '../../sync/kefu-client';
import type { MessageChannel } from '../../sync/message-channel';
import type { WidgetConfig } from './widget';

/** The event kefu-closed.js fires with its export once it ran. */
export const CLOSED_MODULE_EVENT = 'kefu-closed.js';

/** What kefu-closed.js reads of the widget (its public members). */
export interface ClosedHost {
  readonly cfg: WidgetConfig;
  readonly client: KefuClient;
  /** the conversation shown now */
  readonly msgs: MessageChannel | null;
  /** the message list: the card is its last item */
  readonly list: HTMLElement;
}

/**
 * Shows, updates or removes the card at the end of the message list, from the log of the conversation shown: the
 * widget calls it after every change of the conversation, in every tab (each from its own copy of the log).
 */
export type ClosedCard = (w: ClosedHost) => void;
