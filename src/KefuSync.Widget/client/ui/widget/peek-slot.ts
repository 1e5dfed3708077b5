// The main bundle's side of a proactive message on a phone: there the open chat covers the whole page, so an agent's
// first word shows as a small card above the launcher instead (as Intercom's does), and the visitor chooses to open
// it. The card is in kefu-peek.js (ui/widget/peek-card.ts), loaded with the first such message.
import type { ChatMessage } from '../../sync/message-log';
import type { WidgetConfig } from './widget';

export const PEEK_MODULE_EVENT = 'kefu-peek.js';

/** What kefu-peek.js uses of the widget (its public members). */
export interface PeekHost {
  readonly cfg: WidgetConfig;
  /** the launcher's column: the card goes above the launcher */
  readonly root: HTMLElement;
  open(focus?: boolean): void;
  /** the visitor dismissed the card */
  keepClosed(): void;
}

/** Shows the card with `m` (or puts `m` in the card shown). */
export type PeekModule = (w: PeekHost, m: ChatMessage) => void;
