// Rendering of one message. Message text is plain text (protocol §4.2): it goes into a text node, never HTML.
import type { Strings } from '../../i18n';
import type { MessageItem } from '../../sync/message-channel';
import { el } from './dom';

/** Time of day, with the date when not today (the console's; the widget's list has day separators). */
export function formatTime(ts: number, lang: string, now = Date.now()): string {
  const d = new Date(ts);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  try {
    return new Intl.DateTimeFormat(lang, sameDay ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
  } catch {
    return d.toISOString().slice(11, 16);
  }
}

/** The day separator's words: "Today", else the weekday and date (with the year when not this one), in local time. */
export function dayLabel(ts: number, lang: string, today: string, now = Date.now()): string {
  const d = new Date(ts);
  const n = new Date(now);
  return d.toDateString() === n.toDateString() ? today : d.toLocaleDateString(lang, { weekday: 'long', month: 'long', day: 'numeric', ...(d.getFullYear() === n.getFullYear() ? {} : { year: 'numeric' }) });
}

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
  const time = el('time', { 'data-testid': 'kefu-message-time', datetime: new Date(m.ts).toISOString() }, new Date(m.ts).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' })) // the day is on its separator;
  const meta = el('div', { class: 'meta' }, time, m.edited ? ` · ${s.edited}` : null);
  if (m.status) {
    meta.append(' · ', el('span', { class: `st ${m.status}`, 'data-testid': 'kefu-message-status', 'data-w': s.waiting }, s[m.status]));
  }
  item.replaceChildren(...[name, bubble, meta].filter((x): x is HTMLDivElement => x !== null));
  return item;
}
