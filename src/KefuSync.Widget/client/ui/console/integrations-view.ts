// The console's Integrations panel, for admins (the page carries data-kefu-admin only for them, and every request is
// checked on the server again): the REST API's keys (create with scopes, shown once; revoke) and the webhook
// endpoints' delivery state (recent failures; resume a paused one). It talks to {prefix}/console/admin over HTTP with
// the host's cookie; each write carries X-Kefu-Admin, which a foreign page cannot send without a CORS preflight.
import type { Lang } from '../../i18n';
import { el } from '../widget/dom';
import { integrationsStrings, type IntegrationsStrings } from './integrations-strings';

export interface AdminKey {
  name: string;
  role: string;
  displayName?: string;
  scopes: string[];
  source: 'options' | 'console';
  hint?: string;
  createdBy?: string;
  createdAt?: string;
  revokedAt?: string;
  revokedBy?: string;
}

export interface AdminWebhook {
  name: string;
  url: string;
  state: 'Active' | 'Paused';
  node?: string;
  delivered: number;
  lastDeliveredAt?: string;
  recentFailures: { at: string; eventId: string; attempt: number; statusCode?: number; error: string }[];
  source: 'options' | 'console';
  events: string[];
  createdBy?: string;
  createdAt?: string;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

interface NewHook {
  name: string;
  url: string;
  events: string[];
}

interface NewKey {
  name: string;
  role: string;
  displayName?: string;
  scopes: string[];
}

/** The server's reason in a problem details body, else the status line. */
async function reason(r: Response): Promise<string> {
  try {
    const p = (await r.json()) as { detail?: unknown };
    if (typeof p.detail === 'string' && p.detail) return p.detail;
  } catch {
    // not JSON: the status says it
  }
  return `HTTP ${r.status}`;
}

/** "agent:alice" reads as alice. */
const who = (id: string | undefined): string => (id ?? '?').replace(/^agent:/, '');

export class IntegrationsView {
  readonly element: HTMLElement;
  private readonly s: IntegrationsStrings;
  private readonly keysList: HTMLUListElement;
  private readonly hooksList: HTMLUListElement;
  private readonly status: HTMLParagraphElement;
  /** loads started; an answer is shown only when its load is still the latest */
  private loads = 0;
  private readonly secretBox: HTMLDivElement;
  private readonly form: HTMLFormElement;
  private readonly hookForm: HTMLFormElement;
  private readonly hookSecret: HTMLDivElement;
  private events: string[] = [];
  private readonly date: Intl.DateTimeFormat;
  private scopes: string[] = [];

  constructor(
    private readonly base: string,
    lang: Lang,
    private readonly fetcher: Fetch = (i, init) => fetch(i, init),
  ) {
    const s = (this.s = integrationsStrings(lang));
    this.date = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    this.keysList = el('ul', { class: 'int-list', 'data-testid': 'int-keys' });
    this.hooksList = el('ul', { class: 'int-list', 'data-testid': 'int-webhooks' });
    this.status = el('p', { class: 'int-status', role: 'status', 'data-testid': 'int-status' });
    this.secretBox = el('div', { class: 'int-secret', 'data-testid': 'int-secret', hidden: true });
    this.form = el('form', { class: 'int-form', 'data-testid': 'int-form' });
    this.hookForm = el('form', { class: 'int-form', 'data-testid': 'int-hook-form' });
    this.hookSecret = el('div', { class: 'int-secret', 'data-testid': 'int-hook-secret', hidden: true });
    const refresh = el('button', { type: 'button', class: 'link', 'data-testid': 'int-refresh' }, s.refresh);
    refresh.addEventListener('click', () => void this.load());
    this.element = el(
      'section',
      { class: 'int', 'data-testid': 'integrations-view', 'aria-label': s.tab },
      el('div', { class: 'int-head' }, el('h3', {}, s.keys), refresh),
      el('p', { class: 'hint' }, s.keysHint),
      this.keysList,
      this.secretBox,
      el('details', { class: 'int-new' }, el('summary', { 'data-testid': 'int-new' }, s.newKey), this.form),
      // under the form, where a refused create is read; a refused revoke or resume says so here too
      this.status,
      el('h3', {}, s.webhooks),
      this.hooksList,
      this.hookSecret,
      el('details', { class: 'int-new' }, el('summary', { 'data-testid': 'int-new-hook' }, s.newHook), this.hookForm),
    );
    void this.load();
  }

  private url(path: string): string {
    return `${this.base}/console/admin${path}`;
  }

  private async send(path: string, body?: unknown): Promise<Response> {
    const init: RequestInit = { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-Kefu-Admin': '1' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    return this.fetcher(this.url(path), init);
  }

  private say(text: string, state: 'error' | 'done' | 'working'): void {
    this.status.textContent = text;
    this.status.dataset.state = state;
  }

  /**
   * Reads both lists; a failure says why and leaves what was shown. Only the latest of overlapping loads (Refresh
   * clicked again before the last answer) is shown: an older answer arriving late would show older counts. While one
   * is in flight the view is `data-busy`.
   */
  async load(): Promise<void> {
    const seq = ++this.loads;
    this.element.dataset.busy = 'true';
    try {
      const [keys, hooks] = await Promise.all([this.fetcher(this.url('/keys'), { credentials: 'same-origin' }), this.fetcher(this.url('/webhooks'), { credentials: 'same-origin' })]);
      if (seq !== this.loads) return;
      const refused = !keys.ok ? keys : !hooks.ok ? hooks : null;
      if (refused) {
        this.say(this.s.failed(await reason(refused)), 'error');
        return;
      }
      const k = (await keys.json()) as { keys: AdminKey[]; scopes: string[] };
      const h = (await hooks.json()) as { endpoints: AdminWebhook[]; events?: string[] };
      if (seq !== this.loads) return;
      if (this.events.length === 0 && h.events?.length) {
        this.events = h.events;
        this.renderHookForm();
      }
      if (this.scopes.length === 0) {
        this.scopes = k.scopes;
        this.renderForm();
      }
      this.renderKeys(k.keys);
      this.renderHooks(h.endpoints);
      this.element.dataset.loaded = 'true';
    } catch (e) {
      if (seq === this.loads) this.say(this.s.failed(e instanceof Error ? e.message : String(e)), 'error');
    } finally {
      if (seq === this.loads) delete this.element.dataset.busy;
    }
  }

  private when(iso: string | undefined): string {
    const d = iso ? new Date(iso) : null;
    return d && !Number.isNaN(d.getTime()) ? this.date.format(d) : '';
  }

  private renderKeys(keys: AdminKey[]): void {
    const s = this.s;
    this.keysList.replaceChildren(...(keys.length ? [] : [el('li', { class: 'int-empty' }, s.none)]));
    for (const k of keys) {
      const revoked = !!k.revokedAt;
      const revoke = el('button', { type: 'button', class: 'link danger', 'data-testid': 'int-revoke', hidden: k.source !== 'console' || revoked }, s.revoke);
      revoke.addEventListener('click', () => void this.revoke(k.name));
      const origin = k.source === 'options' ? s.fromOptions : revoked ? s.revokedBy(who(k.revokedBy), this.when(k.revokedAt)) : s.createdBy(who(k.createdBy), this.when(k.createdAt));
      this.keysList.append(
        el(
          'li',
          { class: 'int-key', 'data-testid': 'int-key', 'data-name': k.name, 'data-revoked': revoked ? 'true' : undefined },
          el('div', { class: 'int-row' }, el('strong', {}, k.name), el('span', { class: 'int-badge' }, k.role === 'agent' ? s.roleAgent : s.roleBot), k.hint ? el('code', {}, `${k.hint}…`) : null, revoke),
          el('div', { class: 'int-scopes' }, k.scopes.map((x) => s.scope[x] ?? x).join(' · ')),
          el('div', { class: 'int-meta' }, origin),
        ),
      );
    }
  }

  private renderForm(): void {
    const s = this.s;
    const name = el('input', { type: 'text', required: true, maxlength: '64', pattern: '[A-Za-z0-9._\\-]+', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'int-name' });
    const role = el('select', { 'data-testid': 'int-role' }, el('option', { value: 'bot' }, s.roleBot), el('option', { value: 'agent' }, s.roleAgent));
    const display = el('input', { type: 'text', maxlength: '80', 'data-testid': 'int-display' });
    const boxes = this.scopes.map((x) => {
      const box = el('input', { type: 'checkbox', value: x, 'data-testid': `int-scope-${x}` });
      return { box, row: el('label', { class: 'int-check' }, box, el('span', {}, s.scope[x] ?? x), el('code', {}, x)) };
    });
    const create = el('button', { type: 'submit', class: 'primary', 'data-testid': 'int-create' }, s.create);
    this.form.replaceChildren(
      el('label', { class: 'hours-field' }, el('span', {}, s.name), name),
      el('label', { class: 'hours-field' }, el('span', {}, s.role), role),
      el('label', { class: 'hours-field' }, el('span', {}, s.displayName), display),
      el('fieldset', {}, el('legend', {}, s.scopes), ...boxes.map((b) => b.row)),
      el('div', { class: 'hours-actions' }, create),
    );
    this.form.onsubmit = (ev) => {
      ev.preventDefault();
      const scopes = boxes.filter((b) => b.box.checked).map((b) => b.box.value);
      const body: NewKey = { name: name.value.trim(), role: role.value, scopes };
      if (display.value.trim()) body.displayName = display.value.trim();
      const clear = (): void => {
        name.value = '';
        display.value = '';
        for (const b of boxes) b.box.checked = false;
      };
      void this.create('/keys', body, clear, this.secretBox, this.s.copyNow);
    };
  }

  /** Posts a new key or endpoint; on success clears its form and shows the secret the answer carries, once. */
  private async create(path: string, body: NewKey | NewHook, done: () => void, box: HTMLDivElement, note: string): Promise<void> {
    this.say(this.s.working, 'working');
    try {
      const r = await this.send(path, body);
      if (!r.ok) {
        this.say(this.s.failed(await reason(r)), 'error');
        return;
      }
      const created = (await r.json()) as { secret: string };
      done();
      this.showSecret(created.secret, box, note);
      this.say('', 'done');
      await this.load();
    } catch (e) {
      this.say(this.s.failed(e instanceof Error ? e.message : String(e)), 'error');
    }
  }

  /** The one time a secret is on screen: selected, with a copy button; gone with the next one or a reload. */
  private showSecret(secret: string, box: HTMLDivElement, note: string): void {
    const s = this.s;
    const input = el('input', { type: 'text', readonly: true, value: secret, 'data-testid': 'int-secret-value', spellcheck: 'false', 'aria-label': note });
    const copy = el('button', { type: 'button', 'data-testid': 'int-copy' }, s.copy);
    copy.addEventListener('click', () => {
      input.select();
      // undefined outside a secure context, whatever the type says
      void (navigator.clipboard as Clipboard | undefined)?.writeText(secret).then(
        () => (copy.textContent = s.copied),
        () => undefined, // no clipboard permission: the text is selected for Ctrl+C
      );
    });
    box.replaceChildren(el('p', {}, note), el('div', { class: 'int-row' }, input, copy));
    box.hidden = false;
    input.focus();
    input.select();
  }

  private renderHookForm(): void {
    const s = this.s;
    const name = el('input', { type: 'text', required: true, maxlength: '64', pattern: '[A-Za-z0-9._\\-]+', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'int-hook-name' });
    const url = el('input', { type: 'url', required: true, placeholder: 'https://', spellcheck: 'false', autocomplete: 'off', 'data-testid': 'int-hook-url' });
    const boxes = this.events.map((x) => {
      const box = el('input', { type: 'checkbox', value: x, 'data-testid': `int-event-${x}` });
      return { box, row: el('label', { class: 'int-check' }, box, el('code', {}, x)) };
    });
    const add = el('button', { type: 'submit', class: 'primary', 'data-testid': 'int-hook-add' }, s.add);
    this.hookForm.replaceChildren(
      el('label', { class: 'hours-field' }, el('span', {}, s.name), name),
      el('label', { class: 'hours-field' }, el('span', {}, s.url), url),
      el('fieldset', {}, el('legend', {}, s.events), ...boxes.map((b) => b.row), el('p', { class: 'hint' }, s.eventsHint)),
      el('div', { class: 'hours-actions' }, add),
    );
    this.hookForm.onsubmit = (ev) => {
      ev.preventDefault();
      const body: NewHook = { name: name.value.trim(), url: url.value.trim(), events: boxes.filter((b) => b.box.checked).map((b) => b.box.value) };
      const clear = (): void => {
        name.value = '';
        url.value = '';
        for (const b of boxes) b.box.checked = false;
      };
      void this.create('/webhooks', body, clear, this.hookSecret, this.s.copyHookNow);
    };
  }

  private async revoke(name: string): Promise<void> {
    if (!confirm(this.s.confirmRevoke(name))) return;
    await this.post(`/keys/${encodeURIComponent(name)}/revoke`);
  }

  private async post(path: string): Promise<void> {
    this.say(this.s.working, 'working');
    try {
      const r = await this.send(path);
      if (!r.ok) {
        this.say(this.s.failed(await reason(r)), 'error');
        return;
      }
      this.say('', 'done');
      await this.load();
    } catch (e) {
      this.say(this.s.failed(e instanceof Error ? e.message : String(e)), 'error');
    }
  }

  private renderHooks(hooks: AdminWebhook[]): void {
    const s = this.s;
    this.hooksList.replaceChildren(...(hooks.length ? [] : [el('li', { class: 'int-empty' }, s.noWebhooks)]));
    for (const h of hooks) {
      const paused = h.state === 'Paused';
      const resume = el('button', { type: 'button', class: 'primary', 'data-testid': 'int-resume', hidden: !paused }, s.resume);
      resume.addEventListener('click', () => void this.post(`/webhooks/${encodeURIComponent(h.name)}/resume`));
      const remove = el('button', { type: 'button', class: 'link danger', 'data-testid': 'int-hook-remove', hidden: h.source !== 'console' }, s.remove);
      remove.addEventListener('click', () => {
        if (confirm(s.confirmRemove(h.name))) void this.post(`/webhooks/${encodeURIComponent(h.name)}/remove`);
      });
      const origin = h.source === 'options' ? s.fromOptions : s.createdBy(who(h.createdBy), this.when(h.createdAt));
      const failures = h.recentFailures.slice(-5).reverse();
      this.hooksList.append(
        el(
          'li',
          { class: 'int-hook', 'data-testid': 'int-hook', 'data-name': h.name, 'data-state': paused ? 'paused' : 'active' },
          el('div', { class: 'int-row' }, el('strong', {}, h.name), el('span', { class: `int-badge ${paused ? 'bad' : 'ok'}`, 'data-testid': 'int-hook-state' }, paused ? s.paused : s.active), remove),
          el('div', { class: 'int-url' }, h.url),
          el('div', { class: 'int-scopes' }, h.events.length ? h.events.join(' · ') : s.allEvents),
          el('div', { class: 'int-meta' }, origin),
          el('div', { class: 'int-meta' }, h.node ? s.node(h.node) : s.noNode, ' · ', s.delivered(h.delivered, h.lastDeliveredAt ? this.when(h.lastDeliveredAt) : null)),
          failures.length
            ? el(
                'details',
                { class: 'int-failures', open: paused },
                el('summary', {}, `${s.failures} (${h.recentFailures.length})`),
                el('ul', { 'data-testid': 'int-failures' }, ...failures.map((f) => el('li', {}, el('time', {}, this.when(f.at)), ' ', s.failure(f.attempt, f.statusCode ? `HTTP ${f.statusCode}` : f.error)))),
              )
            : null,
          resume,
        ),
      );
    }
  }
}
