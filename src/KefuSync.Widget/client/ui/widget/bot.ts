// A conversation a bot holds (kefu-bot.js, ui/widget/bot-slot.ts): the words of each handover line, and a
// "Talk to a person" button under the messages while the bot has the conversation. The button sends a `handover` op
// (protocol §4.2) through the outbox, so it is sent once, also offline or from another tab.
import type { Lang } from '../../i18n';
import { botStrings } from '../../i18n/bot';
import type { MessageChannel, MessageItem } from '../../sync/message-channel';
import type { BotModule } from './bot-slot';
import { el } from './dom';

/**
 * Whether a bot holds the conversation, as far as the visitor can tell: the last message from the other side is a bot's
 * and no handover came after it (an agent's message, or a handover, means people have it).
 */
export function botHolds(items: MessageItem[]): boolean {
  for (let i = items.length - 1; i >= 0; i--) {
    const r = items[i]?.role;
    if (r === 'bot') return true;
    if (r === 'sys' || r === 'agent') return false;
  }
  return false;
}

export const createBot: BotModule['create'] = (lang: Lang, msgs: () => MessageChannel | null) => {
  const s = botStrings(lang);
  const button = el('button', { type: 'button', class: 'human', 'data-testid': 'kefu-human', hidden: true }, s.human);
  let asked = false;
  button.addEventListener('click', () => {
    const m = msgs();
    if (!m || asked) return;
    asked = true; // one request: the op is in the outbox until the server has it
    button.hidden = true;
    void m.submitOp({ k: 'handover' });
  });
  return (list, items) => {
    for (const b of list.querySelectorAll<HTMLElement>('li[data-role="sys"] .bubble')) {
      if (b.textContent !== s.handedOver) b.textContent = s.handedOver;
    }
    if (button.parentElement !== list.parentElement) list.after(button);
    const held = botHolds(items);
    if (!held) asked = false; // the handover arrived: a later hold (assigned to the bot again) can be asked again
    button.hidden = !held || asked;
  };
};
