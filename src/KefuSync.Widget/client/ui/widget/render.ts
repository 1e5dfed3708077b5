// Rendering of one message. Message text is plain text (protocol §4.2): it goes into a text node, never HTML.
import type { Strings } from '../../i18n';
import type { MessageItem } from '../../sync/message-channel';
import { timeOfDay } from './dates';
import { el } from './dom';

export const messageKey = (m: MessageItem): string => m.id || `r${m.rev}`;

/** Builds or updates (when `li` is given) the list item of a message. */
export function renderMessage(m: MessageItem, s: Strings, lang: string, li?: HTMLLIElement): HTMLLIElement {
  const item = li ?? el('li', { 'data-testid': 'kefu-message' });
  const who = m.own ? 'own' : m.role === 'agent' ? 'agent' : 'other';
  item.className = `msg ${who}${m.recalled ? ' recalled' : ''}`;
  item.setAttribute('data-id', m.id);
  item.setAttribute('data-rev', String(m.rev));
  item.setAttribute('data-role', m.own ? 'visitor' : m.role || 'other');
  if (m.status) item.setAttribute('data-status', m.status);
  else item.removeAttribute('data-status');

  const name = !m.own && m.name ? el('div', { class: 'name' }, m.name) : null;
  // a file (gone once recalled): a chip with its name now, kept across redraws so its thumbnail is not loaded again;
  // kefu-files.js fills it (files-slot.ts)
  const a = m.att;
  const old = li?.querySelector<HTMLElement>('.file');
  const chip = a ? (old?.dataset.att === a.id ? old : el('div', { class: 'file', 'data-att': a.id }, el('span', { class: 'fname' }, a.name))) : null;
  const bubble = el('div', { class: 'bubble', 'data-testid': 'kefu-message-text' }, chip, m.recalled ? s.recalled : m.text);
  const time = el('time', { 'data-testid': 'kefu-message-time', datetime: new Date(m.ts).toISOString() }, timeOfDay(m.ts, lang)) // the day is on its separator;
  const meta = el('div', { class: 'meta' }, time, m.edited ? ` · ${s.edited}` : null);
  if (m.status) {
    meta.append(' · ', el('span', { class: `st ${m.status}`, 'data-testid': 'kefu-message-status', 'data-w': s.waiting }, s[m.status]));
  }
  item.replaceChildren(...[name, bubble, meta].filter((x): x is HTMLDivElement => x !== null));
  return item;
}
