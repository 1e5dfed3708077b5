// A proactive message on a phone: a card above the launcher with who wrote and what (three lines at most), so the
// page stays usable. Tapping it opens the chat; × dismisses it, and then no agent message opens the chat or shows a
// card again this session (the same rule as closing the chat). Opening the chat any other way removes it too.
import { peekStrings } from '../../i18n/peek';
import type { ChatMessage } from '../../sync/message-log';
import { el, icon, ICON_CLOSE } from './dom';
import type { PeekHost, PeekModule } from './peek-slot';

let card: HTMLElement | null = null;

function remove(): void {
  card?.remove();
  card = null;
}

// the widget fires kefu:open however the chat was opened (the launcher, the card, a navigation)
addEventListener('kefu:open', remove);

export const showPeek: PeekModule = (w: PeekHost, m: ChatMessage) => {
  const s = peekStrings(w.cfg.lang);
  const name = m.name || s.agent;
  // message text is plain text (protocol §4.2): text nodes only, as in the list
  const body = el('button', { type: 'button', class: 'peek-body', 'data-testid': 'kefu-peek-open', 'aria-label': `${s.reply(name)}: ${m.text}` }, el('span', { class: 'peek-name' }, name), el('span', { class: 'peek-text', 'data-testid': 'kefu-peek-text' }, m.text));
  body.addEventListener('click', () => w.open());
  const x = el('button', { type: 'button', class: 'peek-x', 'data-testid': 'kefu-peek-dismiss', 'aria-label': s.dismiss, title: s.dismiss }, icon(ICON_CLOSE, 16));
  x.addEventListener('click', () => {
    w.keepClosed();
    remove();
  });
  const next = el('div', { class: 'peek', 'data-testid': 'kefu-peek', role: 'status' }, body, x);
  if (card) card.replaceWith(next);
  else w.root.append(next);
  card = next;
};
