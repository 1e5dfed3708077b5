// The closed conversation's card (kefu-closed.js, loaded by the widget once the log says "closed": closed-slot.ts).
// The last item of the message list: "Conversation closed", then the rating (stars or thumbs, per `welcome.rating`)
// with an optional comment and Send, or "Thanks — you rated 4/5" once the log has this close's `rate` op. Sending
// is the `rate` op through the outbox, so it survives offline, a refresh and a closed tab, and every tab shows the
// rated state when the op arrives in its log. A refusal shows why. A reopen (a visitor message, or an agent's
// `status`) removes the card.
//
// The scale is a group of native radio buttons: arrow keys move between them, Tab reaches Send, and a screen reader
// reads "4 stars" or "Thumbs up". No inline styles: the highlighted stars are classes (widget.css).
import { closedStrings, type ClosedStrings } from '../../i18n/closed';
import { isEmail } from './away-panel';
import { el } from './dom';
import type { ClosedCard, ClosedHost } from './closed-slot';
import { closedState, ratingMode, type ClosedState, type RatingMode } from './closed-state';

const MAX_COMMENT = 1000; // docs/protocol.md §4.2 `rate`

class Card {
  readonly li: HTMLLIElement;
  private readonly s: ClosedStrings;
  private key = '';
  private close = 0;
  /** the score chosen and not sent yet: kept across redraws of the same close */
  private chosen = 0;
  private comment: HTMLTextAreaElement | null = null;
  /** the transcript address being typed: kept across redraws */
  private address: HTMLInputElement | null = null;

  constructor(private readonly w: ClosedHost) {
    this.s = closedStrings(w.cfg.lang);
    this.li = el('li', { class: 'closed-card', 'data-testid': 'kefu-closed-card', 'aria-labelledby': 'kefu-closed-title' });
  }

  update(): void {
    const msgs = this.w.msgs;
    const st = msgs ? closedState(msgs.log, msgs.pending) : null;
    if (!st) {
      this.li.remove();
      this.key = '';
      return;
    }
    const welcome = this.w.client.welcome;
    const mode = ratingMode(welcome?.rating);
    const mail = welcome?.transcript === true;
    // redraw only when what is shown changes: a redraw would drop the comment being typed
    const key = JSON.stringify([st, mode, mail]);
    if (key !== this.key) {
      if (st.close !== this.close) this.chosen = 0; // a new close: a new choice
      this.close = st.close;
      this.key = key;
      this.draw(st, mode, mail);
    }
    // always the last item: messages are inserted before it
    if (this.w.list.lastElementChild !== this.li) this.w.list.append(this.li);
  }

  private draw(st: ClosedState, mode: RatingMode, mail: boolean): void {
    const s = this.s;
    const thumbs = mode === 'thumbs';
    const parts: Node[] = [el('h3', { id: 'kefu-closed-title', 'data-testid': 'kefu-closed-title' }, s.title)];
    const rated = st.rated ?? st.sending;
    this.li.setAttribute('data-state', !mode ? 'off' : st.rated ? 'rated' : st.sending ? 'sending' : 'unrated');
    if (st.rated) {
      parts.push(el('p', { class: 'rated', 'data-testid': 'kefu-rated', 'data-score': String(st.rated) }, thumbs ? null : stars(st.rated), s.rated(st.rated, thumbs)));
    } else if (st.sending) {
      parts.push(el('p', { class: 'rated', 'data-testid': 'kefu-rate-sending', 'data-score': String(st.sending) }, s.sending));
    } else if (mode) {
      parts.push(this.form(mode));
    }
    if (st.refused) {
      const code = st.rated ? 'already' : st.refused.code;
      const ok = el('button', { type: 'button', class: 'act', 'data-testid': 'kefu-rate-ok' }, s.ok);
      const id = st.refused.id;
      ok.addEventListener('click', () => void this.w.msgs?.discard(id));
      parts.push(el('p', { class: 'refused', role: 'alert', 'data-testid': 'kefu-rate-refused', 'data-code': code }, s.refused[code] ?? s.notSent, ' ', ok));
    }
    if (mail) parts.push(this.transcript(st));
    if (!rated) parts.push(el('p', { class: 'again' }, s.again));
    this.li.replaceChildren(...parts);
  }

  /** "Email me the transcript": the address (prefilled with the one on record), or where it goes, or why not. */
  private transcript(st: ClosedState): HTMLElement {
    const s = this.s;
    const box = el('div', { class: 'transcript', 'data-testid': 'kefu-transcript' });
    if (st.mailed || st.mailing) {
      box.append(el('p', { class: 'mailed', 'data-testid': st.mailed ? 'kefu-transcript-sent' : 'kefu-transcript-sending' }, st.mailed ? s.mailed(st.mailed) : s.mailSending));
    } else {
      const old = this.address;
      const input = el('input', { type: 'email', id: 'kefu-transcript-email', 'data-testid': 'kefu-transcript-email', autocomplete: 'email', inputmode: 'email', maxlength: '254', placeholder: 'name@example.com', 'aria-describedby': 'kefu-transcript-error' });
      input.value = old ? old.value : (this.w.msgs?.log.contact ?? this.stored() ?? '');
      this.address = input;
      const error = el('p', { class: 'away-error', id: 'kefu-transcript-error', 'data-testid': 'kefu-transcript-error', role: 'alert', hidden: true }, s.mailInvalid);
      const form = el('form', { class: 'transcript-form', 'data-testid': 'kefu-transcript-form', novalidate: true },
        el('label', { for: 'kefu-transcript-email' }, s.mailAsk),
        el('div', { class: 'away-row' }, input, el('button', { type: 'submit', class: 'away-save', 'data-testid': 'kefu-transcript-send' }, s.mailSend)),
        error);
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const v = input.value.trim();
        const ok = isEmail(v);
        error.hidden = ok;
        input.setAttribute('aria-invalid', String(!ok));
        if (ok) void this.mail(v);
        else input.focus();
      });
      box.append(form);
    }
    if (st.mailRefused) {
      const ok = el('button', { type: 'button', class: 'act', 'data-testid': 'kefu-transcript-ok' }, s.ok);
      const id = st.mailRefused.id;
      ok.addEventListener('click', () => void this.w.msgs?.discard(id));
      box.append(el('p', { class: 'refused', role: 'alert', 'data-testid': 'kefu-transcript-refused', 'data-code': st.mailRefused.code }, s.mailRefused[st.mailRefused.code] ?? s.mailNotSent, ' ', ok));
    }
    return box;
  }

  /** What this browser saved from the offline form for this conversation (widget.ts emailKey). */
  private stored(): string | null {
    try {
      return localStorage.getItem(`kefu:email:${this.w.cfg.endpoint}:${this.w.msgs?.ch.slice(5) ?? ''}`);
    } catch {
      return null;
    }
  }

  private async mail(email: string): Promise<void> {
    const msgs = this.w.msgs;
    if (!msgs) return;
    await msgs.submitOp({ k: 'transcript', email, lang: this.w.cfg.lang });
    this.address = null;
    await msgs.outboxChanged();
  }

  private form(mode: 'stars' | 'thumbs'): HTMLFormElement {
    const s = this.s;
    const scores = mode === 'thumbs' ? [5, 1] : [1, 2, 3, 4, 5];
    const send = el('button', { type: 'submit', class: 'rate-send', 'data-testid': 'kefu-rate-send', disabled: this.chosen === 0 }, s.send);
    const labels: HTMLLabelElement[] = [];
    const mark = (): void => {
      // stars: every star up to the chosen one lights up; thumbs: the chosen one
      for (const l of labels) {
        const n = Number(l.dataset.score);
        l.classList.toggle('on', mode === 'stars' ? n <= this.chosen : n === this.chosen);
      }
      send.disabled = this.chosen === 0;
    };
    for (const n of scores) {
      const input = el('input', { type: 'radio', name: 'kefu-score', value: String(n), 'data-testid': `kefu-rate-${n}`, 'aria-label': mode === 'stars' ? s.star(n) : n === 5 ? s.up : s.down, checked: n === this.chosen });
      input.addEventListener('change', () => {
        this.chosen = n;
        mark();
      });
      const glyph = el('span', { 'aria-hidden': 'true' }, mode === 'stars' ? '★' : n === 5 ? '👍' : '👎');
      const label = el('label', { class: 'score', 'data-score': String(n), title: mode === 'stars' ? s.star(n) : n === 5 ? s.up : s.down }, input, glyph);
      labels.push(label);
    }
    const group = el('fieldset', { class: `scale ${mode}`, 'data-testid': 'kefu-rate-scale' }, el('legend', {}, s.ask), ...labels);
    const comment = el('textarea', { class: 'rate-comment', 'data-testid': 'kefu-rate-comment', 'aria-label': s.comment, placeholder: s.comment, rows: '2', maxlength: String(MAX_COMMENT) });
    if (this.comment) comment.value = this.comment.value;
    this.comment = comment;
    const form = el('form', { class: 'rate', 'data-testid': 'kefu-rate-form' }, group, comment, send);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    mark();
    return form;
  }

  private async send(): Promise<void> {
    const msgs = this.w.msgs;
    if (!msgs || !this.chosen) return;
    const text = this.comment?.value.trim() ?? '';
    await msgs.submitOp({ k: 'rate', score: this.chosen, ...(text ? { comment: text.slice(0, MAX_COMMENT) } : {}) });
    this.chosen = 0;
    if (this.comment) this.comment.value = '';
    await msgs.outboxChanged(); // shows "Sending…" in this tab at once; the others follow with the outbox
  }
}

const stars = (n: number): HTMLSpanElement => el('span', { class: 'stars', 'aria-hidden': 'true' }, '★'.repeat(n) + '☆'.repeat(5 - n) + ' ');

const cards = new WeakMap<ClosedHost, Card>();

/** kefu-closed.js's export: one card per widget, updated from the widget's conversation on every change. */
export const closedCard: ClosedCard = (w) => {
  let c = cards.get(w);
  if (!c) {
    c = new Card(w);
    cards.set(w, c);
  }
  c.update();
};
