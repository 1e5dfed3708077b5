// Out of hours and nobody there (issue 15 items 1-2): the "back at" note and the offline form that asks for an email,
// so the answer reaches a visitor who leaves. Loaded only when needed (kefu-away.js, see away-slot.ts), so the widget
// every visitor downloads stays small; the slot feeds it what the widget knows (availability from welcome, agents
// online from `site` presence, the email on record).
import type { Lang } from '../../i18n';
import { awayStrings, type AwayStrings } from '../../i18n/away';
import type { Availability } from '../../protocol/availability';
import { backAtText } from './back-at';
import { awayRules, type AwayState } from './away-rules';
import { el } from './dom';

export interface AwayHost {
  /** stores the email on the visitor's profile (a `contact` op, protocol §4.2) */
  saveEmail(email: string): Promise<void>;
}

/** The server's rule (Email/EmailAddress.cs): one plain local@domain.tld, at most 254 characters, nothing that could add a recipient. */
export function isEmail(v: string): boolean {
  if (v.length === 0 || v.length > 254 || v.trim() !== v) return false;
  if (/[\s<>,;"()\\[\]\p{Cc}]/u.test(v)) return false;
  const at = v.lastIndexOf('@');
  if (at < 1 || at > 64 || at === v.length - 1 || v.indexOf('@') !== at) return false;
  const local = v.slice(0, at);
  const domain = v.slice(at + 1);
  return domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.') && !v.includes('..') && !local.startsWith('.') && !local.endsWith('.');
}

export class AwayPanel {
  readonly element: HTMLDivElement;
  private readonly s: AwayStrings;
  private readonly note: HTMLParagraphElement;
  private readonly form: HTMLFormElement;
  private readonly ask: HTMLLabelElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLParagraphElement;
  private readonly skipBtn: HTMLButtonElement;
  private readonly saved: HTMLParagraphElement;
  private avail: Availability | null = null;
  private email: string | null = null;
  private editing = false;
  private state: AwayState = { agentsOnline: false, hasMessages: false, open: false };
  private readonly skipKey: string;

  constructor(
    private readonly lang: Lang,
    endpoint: string,
    private readonly host: AwayHost,
  ) {
    const s = (this.s = awayStrings(lang));
    this.skipKey = `kefu:email-skip:${endpoint}`;
    this.note = el('p', { class: 'away-note', 'data-testid': 'kefu-back-at', hidden: true });
    this.input = el('input', { type: 'email', id: 'kefu-email', 'data-testid': 'kefu-email', autocomplete: 'email', inputmode: 'email', maxlength: '254', placeholder: s.emailPlaceholder, 'aria-describedby': 'kefu-email-ask' });
    this.ask = el('label', { id: 'kefu-email-ask', for: 'kefu-email', 'data-testid': 'kefu-email-ask' });
    this.error = el('p', { class: 'away-error', 'data-testid': 'kefu-email-error', role: 'alert', hidden: true }, s.invalid);
    const save = el('button', { type: 'submit', class: 'away-save', 'data-testid': 'kefu-email-save' }, s.save);
    this.skipBtn = el('button', { type: 'button', class: 'away-skip', 'data-testid': 'kefu-email-skip' }, s.skip);
    this.skipBtn.addEventListener('click', () => {
      this.setSkipped();
      this.render();
    });
    this.form = el('form', { class: 'away-form', 'data-testid': 'kefu-offline-form', novalidate: true, hidden: true }, this.ask, el('div', { class: 'away-row' }, this.input, save), this.error, this.skipBtn);
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.input.addEventListener('input', () => (this.error.hidden = true));
    this.saved = el('p', { class: 'away-saved', 'data-testid': 'kefu-email-saved', hidden: true });
    this.element = el('div', { class: 'away', 'data-testid': 'kefu-away' }, this.note, this.form, this.saved);
  }

  /** Availability from a `welcome` or a refresh (null from an older server: always in hours, never asks). */
  setAvailability(a: Availability | null): void {
    this.avail = a;
    this.render();
  }

  /** The email on record (from the conversation's `contact` op, or this browser's last save). */
  setEmail(email: string | null): void {
    if (email === this.email) return;
    this.email = email;
    this.render();
  }

  update(state: AwayState): void {
    this.state = state;
    this.render();
  }

  private render(): void {
    const a = this.avail;
    const s = this.s;
    const { outside, unavailable, required } = awayRules(a, this.state, this.email);
    const ask = a?.ask ?? 'off';

    this.note.hidden = !outside;
    if (outside && a) this.note.textContent = `${s.closed} ${a.back !== undefined ? backAtText(a.back, Date.now(), this.lang, s) : s.backLater}`;

    const wantForm = unavailable && ask !== 'off' && (this.email === null || this.editing) && (required || !this.skipped());
    this.form.hidden = !wantForm;
    this.ask.textContent = required ? s.askRequired : s.askOptional;
    this.skipBtn.hidden = required;
    this.saved.hidden = !(unavailable && this.email !== null && !this.editing);
    if (this.email !== null && !this.saved.hidden) {
      const change = el('button', { type: 'button', class: 'away-change', 'data-testid': 'kefu-email-change' }, s.change);
      change.addEventListener('click', () => {
        this.editing = true;
        this.input.value = this.email ?? '';
        this.render();
        this.input.focus();
      });
      this.saved.replaceChildren(s.saved(this.email), ' ', change);
    }
    this.element.setAttribute('data-outside', String(outside));
    this.element.hidden = this.note.hidden && this.form.hidden && this.saved.hidden;
  }

  private async submit(): Promise<void> {
    const v = this.input.value.trim();
    if (!isEmail(v)) {
      this.error.hidden = false;
      this.input.setAttribute('aria-invalid', 'true');
      this.input.focus();
      return;
    }
    this.input.removeAttribute('aria-invalid');
    this.error.hidden = true;
    await this.host.saveEmail(v);
    this.editing = false;
    this.email = v;
    this.render();
  }

  private skipped(): boolean {
    try {
      return sessionStorage.getItem(this.skipKey) === '1';
    } catch {
      return false;
    }
  }

  private setSkipped(): void {
    try {
      sessionStorage.setItem(this.skipKey, '1');
    } catch {
      // storage blocked: the form stays until an email is given
    }
  }
}
