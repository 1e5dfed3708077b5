// The main bundle's side of bots (docs/bots.md): message-log.ts keeps a `handover` op as an empty item of role `sys`
// and render.ts draws it like any message; the line's words and the "Talk to a person" button come from kefu-bot.js,
// loaded the first time a conversation shows a bot's message or a handover (most page views never do).
import type { Lang } from '../../i18n';
import type { MessageChannel, MessageItem } from '../../sync/message-channel';

/** kefu-bot.js, which hands its exports over in the window event of the same name (lazy-module.ts). */
export const BOT_MODULE_EVENT = 'kefu-bot.js';

export interface BotModule {
  /** Returns what fills the handover lines and shows or hides the button, given the items shown now. */
  create(lang: Lang, msgs: () => MessageChannel | null): (list: HTMLElement, items: MessageItem[]) => void;
}
