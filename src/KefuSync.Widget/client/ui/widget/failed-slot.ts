// The main bundle's side of failed messages: render.ts says "Not sent" at once; why, and the buttons (Retry when the
// error may pass, else Edit; Discard), come from kefu-failed.js, loaded the first time a message fails. A message
// fails only when the server refused it, so the script can be fetched then; most page views never download it.
import type { Lang } from '../../i18n';
import type { MessageChannel, MessageItem } from '../../sync/message-channel';

export const FAILED_MODULE_EVENT = 'kefu-failed.js';

/** What a visitor can do with a failed message: send it again (retryable errors), take its text back, drop it. */
export type FailAction = 'retry' | 'edit' | 'discard';

export interface FailedModule {
  /**
   * Returns what adds the reason and the buttons to the list item of a failed message. `msgs`: the conversation shown
   * now; `input`: the widget's box (Edit puts the text there and tells the widget with an `input` event).
   */
  create(lang: Lang, msgs: () => MessageChannel | null, input: HTMLTextAreaElement): (li: HTMLElement, m: MessageItem) => void;
}
