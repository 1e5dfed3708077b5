// The agent console: inbox (live), live visitors, one open conversation, its details and notes, canned replies,
// the agent's own status, notifications. Everything is built with DOM calls and text nodes (no innerHTML), and works
// with the keyboard and at phone width (one column: the list, or the conversation with a back button).
import type { KefuClient } from '../../sync/kefu-client';
import { PresenceChannel } from '../../sync/presence-channel';
import type { PresenceEntry } from '../../protocol/server-frames';
import { isObj } from '../../protocol/validation';
import { AgentStatusTracker, type AgentStatus } from '../../console/agent-status';
import { FILTERS, badgeTitle, genTag, unread, type Change, type InboxFilter, type Summary } from '../../console/inbox';
import { InboxChannel } from '../../console/inbox-channel';
import { el } from '../widget/dom';
import { formatTime } from '../widget/dates';
import { CannedStore, CannedView } from './canned-view';
import { HoursView, type HoursValue } from './hours-view';
import { hoursStrings } from './hours-strings';
import { IntegrationsView } from './integrations-view';
import { integrationsStrings } from './integrations-strings';
import { ConversationView, type AgentInfo, type ConversationHost, type VisitorPage, type VisitorPresence } from './conversation';
import { alertAgent, askPermission, initSound, needsPermission } from './notify';
import { consoleStrings, type ConsoleStrings } from './strings';
import { visitorLabel } from './visitor-name';
import { SITE_CHANNEL } from '../../protocol/channels';
import { filesStrings } from '../../i18n/files';

export interface ConsoleConfig {
  endpoint: string;
  site: string;
  lang: 'zh-CN' | 'en';
  /** called when the agent switches language (the page reloads the strings) */
  switchLang(lang: 'zh-CN' | 'en'): void;
  /** the site's configured business hours and whether agents may edit them (data-kefu-hours) */
  hours?: { value: HoursValue | null; edit: boolean };
  /** whether the agent is an admin (data-kefu-admin): the Integrations panel is offered; the server checks each request */
  admin?: boolean;
}

type Aside = 'details' | 'canned' | 'hours' | 'integrations';

const STATUS_TICK_MS = 15000;

export class ConsoleApp {
  readonly s: ConsoleStrings;
  readonly root: HTMLDivElement;
  readonly inbox: InboxChannel;
  readonly site: PresenceChannel;
  readonly canned: CannedStore;
  readonly status = new AgentStatusTracker();
  private filter: InboxFilter = 'all';
  private aside: Aside = 'details';
  private conv: ConversationView | null = null;
  private readonly connEl: HTMLSpanElement;
  private readonly statusSel: HTMLSelectElement;
  private readonly notifyBtn: HTMLButtonElement;
  private readonly tabBtns: Record<'inbox' | 'visitors', HTMLButtonElement>;
  private readonly filterBar: HTMLDivElement;
  private readonly inboxList: HTMLUListElement;
  private readonly visitorList: HTMLUListElement;
  private readonly mainEl: HTMLElement;
  private readonly asideBody: HTMLDivElement;
  private readonly asideBtns: Partial<Record<Aside, HTMLButtonElement>>;
  private hoursView: HoursView | undefined;
  private integrationsView: IntegrationsView | undefined;
  private readonly cannedView: CannedView;
  private readonly toast: HTMLParagraphElement;
  private readonly baseTitle: string;
  private readonly host: ConversationHost;

  constructor(
    mount: HTMLElement,
    readonly client: KefuClient,
    readonly cfg: ConsoleConfig,
  ) {
    const s = (this.s = consoleStrings(cfg.lang));
    this.baseTitle = `${cfg.site} · ${s.console}`;
    document.title = this.baseTitle;
    document.documentElement.lang = cfg.lang;

    // ---- top bar ----
    this.connEl = el('span', { class: 'conn', 'data-testid': 'conn', role: 'status' }, s.connecting);
    this.statusSel = el('select', { 'data-testid': 'agent-status', 'aria-label': s.myStatus });
    for (const st of ['online', 'away', 'offline'] as AgentStatus[]) this.statusSel.append(el('option', { value: st }, s.agentStatus[st]));
    this.statusSel.addEventListener('change', () => {
      this.status.choose(this.statusSel.value as AgentStatus);
      this.publishStatus();
    });
    this.notifyBtn = el('button', { type: 'button', class: 'notify', 'data-testid': 'notify', hidden: !needsPermission() }, s.notify);
    this.notifyBtn.addEventListener('click', () => {
      void askPermission().then(() => {
        this.notifyBtn.hidden = !needsPermission();
      });
    });
    const langBtn = el('button', { type: 'button', class: 'lang', 'data-testid': 'lang', lang: cfg.lang === 'zh-CN' ? 'en' : 'zh-CN' }, s.language);
    langBtn.addEventListener('click', () => cfg.switchLang(cfg.lang === 'zh-CN' ? 'en' : 'zh-CN'));
    const top = el('header', { class: 'top' }, el('h1', {}, el('span', { class: 'site' }, cfg.site), ` · ${s.console}`), this.connEl, el('div', { class: 'top-actions' }, this.notifyBtn, el('label', { class: 'status-pick' }, el('span', { class: 'dot', 'aria-hidden': 'true' }), this.statusSel), langBtn));

    // ---- side: inbox / visitors ----
    const tabInbox = el('button', { type: 'button', role: 'tab', 'data-testid': 'tab-inbox', 'aria-controls': 'kc-inbox' }, s.inbox);
    const tabVisitors = el('button', { type: 'button', role: 'tab', 'data-testid': 'tab-visitors', 'aria-controls': 'kc-visitors' }, s.visitors);
    tabInbox.addEventListener('click', () => this.setTab('inbox'));
    tabVisitors.addEventListener('click', () => this.setTab('visitors'));
    this.tabBtns = { inbox: tabInbox, visitors: tabVisitors };
    this.filterBar = el('div', { class: 'filters', role: 'group', 'aria-label': s.inbox, 'data-testid': 'filters' });
    this.inboxList = el('ul', { class: 'inbox', id: 'kc-inbox', 'data-testid': 'inbox', 'aria-label': s.inbox });
    this.visitorList = el('ul', { class: 'visitors', id: 'kc-visitors', 'data-testid': 'visitors', 'aria-label': s.visitors, hidden: true });
    // arrow keys move between the rows of a list (each row is a button: Enter/Space opens it)
    for (const list of [this.inboxList, this.visitorList]) {
      list.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
        const rows = [...list.querySelectorAll<HTMLButtonElement>('button.item, button[data-testid=start-chat]')];
        const i = rows.indexOf(document.activeElement as HTMLButtonElement);
        const next = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
        if (next) {
          e.preventDefault();
          next.focus();
        }
      });
    }
    const side = el('nav', { class: 'side', 'aria-label': s.inbox }, el('div', { class: 'tabs', role: 'tablist' }, tabInbox, tabVisitors), this.filterBar, this.inboxList, this.visitorList);

    // ---- main and aside ----
    this.mainEl = el('main', { class: 'main', 'data-testid': 'main' });
    const details = el('button', { type: 'button', role: 'tab', 'data-testid': 'aside-details' }, s.details);
    const cannedBtn = el('button', { type: 'button', role: 'tab', 'data-testid': 'aside-canned' }, s.canned);
    // at phone width the details are folded under the conversation: a tab click unfolds (or folds) them
    const asideClick = (a: Aside): void => {
      const open = this.root.hasAttribute('data-aside-open');
      this.root.toggleAttribute('data-aside-open', !(open && this.aside === a));
      this.setAside(a);
    };
    details.addEventListener('click', () => asideClick('details'));
    cannedBtn.addEventListener('click', () => asideClick('canned'));
    const hoursBtn = el('button', { type: 'button', role: 'tab', 'data-testid': 'aside-hours' }, hoursStrings(cfg.lang).tab);
    hoursBtn.addEventListener('click', () => asideClick('hours'));
    this.asideBtns = { details, canned: cannedBtn, hours: hoursBtn };
    if (cfg.admin) {
      const integrationsBtn = el('button', { type: 'button', role: 'tab', 'data-testid': 'aside-integrations' }, integrationsStrings(cfg.lang).tab);
      integrationsBtn.addEventListener('click', () => asideClick('integrations'));
      this.asideBtns.integrations = integrationsBtn;
    }
    this.asideBody = el('div', { class: 'aside-body' });
    const aside = el('aside', { class: 'aside', 'aria-label': s.details }, el('div', { class: 'tabs', role: 'tablist' }, ...Object.values(this.asideBtns)), this.asideBody);
    this.toast = el('p', { class: 'toast', role: 'alert', 'data-testid': 'toast', hidden: true });

    this.root = el('div', { class: 'kc', 'data-testid': 'console', 'data-view': 'list', 'data-state': 'connecting', lang: cfg.lang }, top, el('div', { class: 'cols' }, side, this.mainEl, aside), this.toast);
    mount.replaceChildren(this.root);

    // ---- sync ----
    this.inbox = new InboxChannel(client);
    this.site = new PresenceChannel(client, SITE_CHANNEL);
    this.canned = new CannedStore(client);
    this.cannedView = new CannedView(this.canned, s, cfg.endpoint, filesStrings(cfg.lang));
    this.host = this.makeHost();

    this.inbox.on('loaded', () => this.renderInbox());
    this.inbox.on('change', (c) => this.onInboxChange(c));
    this.site.on('presence', () => {
      this.renderVisitors();
      this.renderInbox();
      this.conv?.refresh();
    });
    client.on('state', (st) => this.renderConn(st));
    client.on('welcome', () => this.publishStatus());

    // status: automatic away after inactivity, back on input
    const input = (): void => {
      if (this.status.input()) this.publishStatus();
    };
    for (const ev of ['keydown', 'pointerdown', 'wheel', 'touchstart']) addEventListener(ev, input, { capture: true, passive: true });
    setInterval(() => {
      if (this.status.tick()) this.publishStatus();
      this.renderVisitors();
    }, STATUS_TICK_MS);
    const attention = (): void => client.setAttention(document.visibilityState === 'visible', true);
    document.addEventListener('visibilitychange', attention);
    attention();
    initSound();

    addEventListener('hashchange', () => this.fromHash());
    this.mainEl.addEventListener('keydown', (e) => {
      const t = e.target as HTMLElement;
      if (e.key === 'Escape' && this.conv && !(t instanceof HTMLTextAreaElement) && !(t instanceof HTMLSelectElement)) {
        const key = this.conv.key;
        this.open(null);
        this.inboxList.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
      }
    });
    this.publishStatus();
    this.renderConn(client.state);
    this.setTab('inbox');
    this.setAside('details');
    this.renderInbox();
    this.renderVisitors();
    this.fromHash();
    if (!this.conv) this.renderMain();
  }

  // ---- the conversation host (what a ConversationView needs from the app) ----

  private makeHost(): ConversationHost {
    const client = this.client;
    return {
      client,
      // a getter: `welcome` arrives after the view is made, and every reconnect brings a new one
      get me() {
        return client.welcome?.me ?? { id: '', name: '', role: 'agent' };
      },
      s: this.s,
      lang: this.cfg.lang,
      endpoint: this.cfg.endpoint,
      summary: (k) => this.inbox.model.get(k),
      agents: () => this.agents(),
      agentName: (id) => this.agentName(id),
      visitor: (conv) => this.visitors().find((v) => v.conv === conv),
      // a reply that is only a file expands to no text (and its file)
      canned: () => ({ names: this.canned.names, text: (n) => this.canned.text(n) ?? (this.canned.file(n) ? '' : undefined), file: (n) => this.canned.file(n) }),
      back: () => this.open(null),
      error: (code) => this.showError(code),
    };
  }

  private get me(): string {
    return this.client.welcome?.me.id ?? '';
  }

  // ---- agents and visitors from `site` presence ----

  agents(): AgentInfo[] {
    const byId = new Map<string, AgentInfo>();
    for (const e of this.site.list) {
      if (e.role !== 'agent') continue;
      const st = isObj(e.s) && typeof e.s.status === 'string' ? e.s.status : 'online';
      const prev = byId.get(e.id);
      if (!prev || (prev.status !== 'online' && st === 'online')) byId.set(e.id, { id: e.id, name: e.name, status: st });
    }
    const me = this.client.welcome?.me;
    if (me && !byId.has(me.id)) byId.set(me.id, { id: me.id, name: me.name, status: this.status.status });
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  agentName(id: string): string {
    if (id.startsWith('bot:')) return this.s.bot(id.slice(4)); // a bot holds it (docs/bots.md)
    return this.agents().find((a) => a.id === id)?.name ?? id.replace(/^agent:/, '');
  }

  visitors(): VisitorPresence[] {
    const byId = new Map<string, VisitorPresence>();
    for (const e of this.site.list) {
      if (e.role === 'agent' || !isObj(e.s)) continue;
      const v = parseVisitor(e);
      const prev = byId.get(e.id);
      // several tabs: the most recent page wins, the earliest arrival counts for time on site
      if (!prev) byId.set(e.id, v);
      else {
        prev.since = Math.min(prev.since ?? Infinity, v.since ?? Infinity);
        if (v.page && (!prev.page || (v.trail.length > prev.trail.length))) {
          prev.page = v.page;
          prev.trail = v.trail;
        }
      }
    }
    return [...byId.values()].sort((a, b) => (a.since ?? 0) - (b.since ?? 0));
  }

  // ---- status ----

  private publishStatus(): void {
    const st = this.status.status;
    if (this.statusSel.value !== this.status.chosen) this.statusSel.value = this.status.chosen;
    this.root.setAttribute('data-agent-status', st);
    this.client.setPresence(SITE_CHANNEL, st === 'offline' ? null : { agent: true, status: st });
  }

  private renderConn(st: string): void {
    this.root.setAttribute('data-state', st);
    this.connEl.textContent = st === 'open' ? this.s.connected : st === 'stopped' ? this.s.stopped : this.s.connecting;
  }

  // ---- navigation ----

  private setTab(t: 'inbox' | 'visitors'): void {
    for (const [k, b] of Object.entries(this.tabBtns)) b.setAttribute('aria-selected', String(k === t));
    this.inboxList.hidden = t !== 'inbox';
    this.filterBar.hidden = t !== 'inbox';
    this.visitorList.hidden = t !== 'visitors';
  }

  private setAside(a: Aside): void {
    this.aside = a;
    for (const [k, b] of Object.entries(this.asideBtns)) b.setAttribute('aria-selected', String(k === a));
    if (a === 'integrations') {
      // read again on every look: key and delivery state change on the server, not over the socket
      if (this.integrationsView) void this.integrationsView.load();
      this.integrationsView ??= new IntegrationsView(this.cfg.endpoint, this.cfg.lang);
      this.asideBody.replaceChildren(this.integrationsView.element);
      return;
    }
    if (a === 'hours') {
      // subscribed from the first look on, so it stays current while the agent works elsewhere
      this.hoursView ??= new HoursView(this.client, this.cfg.lang, this.cfg.hours?.value ?? null, this.cfg.hours?.edit ?? false);
      this.asideBody.replaceChildren(this.hoursView.element);
      return;
    }
    this.asideBody.replaceChildren(a === 'canned' ? this.cannedView.element : this.conv ? this.conv.details : el('p', { class: 'placeholder' }, this.s.pick));
  }

  private fromHash(): void {
    const m = /^#c=([A-Za-z0-9:_.-]{1,120})$/.exec(location.hash);
    const key = m?.[1] ?? null;
    if (key !== (this.conv?.key ?? null)) this.open(key, false);
  }

  /** Opens a conversation (null: back to the list). */
  open(key: string | null, updateHash = true, greet = false): void {
    if (key !== (this.conv?.key ?? null)) {
      this.conv?.destroy();
      this.conv = key ? new ConversationView(this.host, key) : null;
      if (updateHash) history.replaceState(null, '', key ? `#c=${key}` : location.pathname + location.search);
      this.renderMain();
      this.setAside(this.aside);
      this.renderInbox();
    }
    this.root.setAttribute('data-view', key ? 'conv' : 'list');
    if (this.conv) {
      if (greet) this.conv.greet(this.s.greeting);
      this.conv.focusReply();
    }
  }

  private renderMain(): void {
    this.mainEl.replaceChildren(this.conv ? this.conv.main : el('p', { class: 'placeholder', 'data-testid': 'placeholder' }, this.s.pick));
  }

  // ---- inbox ----

  private onInboxChange(c: Change): void {
    this.renderInbox();
    if (this.conv?.key === c.summary.key) this.conv.refresh();
    const fresh = (c.isNew && c.summary.lastRole === 'visitor') || c.visitorMessage;
    if (!fresh || !this.client.isLeader) return;
    const looking = document.visibilityState === 'visible' && this.conv?.key === c.summary.key;
    if (looking) return;
    const who = visitorLabel(c.summary.visitorName, c.summary.visitorGen, this.s);
    alertAgent(c.isNew ? this.s.newConversation : this.s.newMessage(who), c.summary.lastText ?? '', `kefu-${c.summary.key}`, () => this.open(c.summary.key));
  }

  private renderInbox(): void {
    const me = this.me;
    const model = this.inbox.model;
    const counts = model.counts(me);
    const total = model.unreadTotal();
    document.title = badgeTitle(this.baseTitle, total);
    this.tabBtns.inbox.replaceChildren(this.s.inbox, total ? el('span', { class: 'badge', 'data-testid': 'unread-total' }, String(total)) : '');
    this.tabBtns.visitors.replaceChildren(this.s.visitors, el('span', { class: 'count' }, String(this.visitors().length)));
    replaceKeepingFocus(
      this.filterBar,
      FILTERS.map((f) => {
        const b = el('button', { type: 'button', 'data-testid': `filter-${f}`, 'aria-pressed': String(f === this.filter) }, this.s.filters[f], el('span', { class: 'count' }, String(counts[f])));
        b.addEventListener('click', () => {
          this.filter = f;
          this.renderInbox();
        });
        return b;
      }),
    );
    const items = model.view(this.filter, me);
    if (!items.length) {
      this.inboxList.replaceChildren(el('li', { class: 'empty', 'data-testid': 'inbox-empty' }, this.s.noConversations));
      return;
    }
    const online = new Set(this.visitors().map((v) => v.conv));
    replaceKeepingFocus(
      this.inboxList,
      items.map((x) => this.inboxItem(x, online.has(x.key))),
    );
  }

  private inboxItem(x: Summary, online: boolean): HTMLLIElement {
    const s = this.s;
    const n = unread(x);
    const name = visitorLabel(x.visitorName, x.visitorGen, s);
    const fields = Object.entries(x.fields ?? {})
      .slice(0, 3)
      .map(([k, v]) => `${k}: ${v}`)
      .join(' · ');
    const last = x.lastText === undefined ? '' : `${x.lastRole === 'visitor' ? '' : (x.lastName || s.you) + ': '}${x.lastText}`;
    const b = el(
      'button',
      { type: 'button', class: 'item', 'data-testid': 'inbox-item', 'data-key': x.key, 'data-status': x.status, 'data-assignee': x.assignee ?? '', 'data-unread': String(n), 'aria-current': this.conv?.key === x.key ? 'true' : undefined },
      el('span', { class: 'row1' }, el('span', { class: `dot ${online ? 'on' : 'off'}`, 'aria-hidden': 'true' }), el('span', { class: 'name', 'data-testid': 'inbox-name' }, name), el('time', { datetime: new Date(x.activity).toISOString() }, formatTime(x.activity, this.cfg.lang)), n ? el('span', { class: 'badge', 'data-testid': 'inbox-unread', 'aria-label': s.unread(n) }, String(n)) : ''),
      el('span', { class: 'last', 'data-testid': 'inbox-last' }, last),
      x.email ? el('span', { class: 'email', 'data-testid': 'inbox-email' }, x.email) : '',
      x.rating ? el('span', { class: 'rating', 'data-testid': 'inbox-rating', 'data-score': String(x.rating), title: x.ratingComment ?? s.rating(x.rating), 'aria-label': s.rating(x.rating) }, `${'★'.repeat(x.rating)}${x.ratingComment ? ` ${x.ratingComment}` : ''}`) : '',
      el('span', { class: 'row3' }, el('span', { class: `status st-${x.status}`, 'data-testid': 'inbox-status' }, s.statusNames[x.status]), x.human ? el('span', { class: 'human', 'data-testid': 'inbox-human' }, s.needsHuman) : '', el('span', { class: 'assignee', 'data-testid': 'inbox-assignee' }, x.assignee ? this.agentName(x.assignee) : s.unassigned), fields ? el('span', { class: 'fields' }, fields) : ''),
    );
    b.addEventListener('click', () => this.open(x.key));
    return el('li', {}, b);
  }

  // ---- visitors ----

  private renderVisitors(): void {
    const s = this.s;
    const vs = this.visitors();
    if (!vs.length) {
      this.visitorList.replaceChildren(el('li', { class: 'empty', 'data-testid': 'visitors-empty' }, s.noVisitors));
      return;
    }
    replaceKeepingFocus(
      this.visitorList,
      vs.map((v) => {
        const start = el('button', { type: 'button', class: 'primary small', 'data-testid': 'start-chat', disabled: !v.conv }, s.startChat);
        start.addEventListener('click', () => {
          if (v.conv) this.open(v.conv, true, !this.inbox.model.get(v.conv));
        });
        const summary = v.conv ? this.inbox.model.get(v.conv) : undefined;
        return el(
          'li',
          { class: 'visitor', 'data-testid': 'visitor', 'data-conv': v.conv ?? '', 'data-id': v.id },
          el('span', { class: 'row1' }, el('span', { class: 'name', 'data-testid': 'visitor-row-name' }, summary?.visitorName ? visitorLabel(summary.visitorName, summary.visitorGen, s) : visitorLabel(v.name, v.gen, s)), el('span', { class: 'since', 'data-testid': 'visitor-row-since' }, v.since ? s.minutes(Math.floor((Date.now() - v.since) / 60000)) : '')),
          el('span', { class: 'page', 'data-testid': 'visitor-row-page', title: v.page?.url ?? '' }, v.page ? v.page.title || v.page.url : ''),
          start,
        );
      }),
    );
  }

  private showError(code: string): void {
    this.toast.textContent = this.s.error(code);
    this.toast.hidden = false;
    setTimeout(() => (this.toast.hidden = true), 5000);
  }
}

/**
 * Replaces a list's rows without dropping keyboard focus. Rows are rebuilt on every inbox update, presence change and
 * status tick; a keyboard user on a row would otherwise be thrown back to <body> whenever anything changed. The focused
 * control is found again by its data-testid within the row of the same data-key (inbox) or data-id (visitors).
 */
function replaceKeepingFocus(list: HTMLElement, rows: Node[]): void {
  const active = document.activeElement;
  const selector = active instanceof HTMLElement && list.contains(active) ? focusSelector(active, list) : null;
  list.replaceChildren(...rows);
  if (selector) list.querySelector<HTMLElement>(selector)?.focus({ preventScroll: true });
}

function focusSelector(active: HTMLElement, list: HTMLElement): string | null {
  const id = active.dataset.testid;
  if (!id) return null;
  const control = `[data-testid="${CSS.escape(id)}"]`;
  const row = active.closest('[data-key],[data-id]');
  if (!row || !list.contains(row)) return control;
  const attr = row.hasAttribute('data-key') ? 'data-key' : 'data-id';
  const rowSel = `[${attr}="${CSS.escape(row.getAttribute(attr) ?? '')}"]`;
  return row === active ? control + rowSel : `${rowSel} ${control}`;
}

function parsePage(v: unknown): VisitorPage | undefined {
  if (!isObj(v) || typeof v.url !== 'string') return undefined;
  return { url: v.url.slice(0, 400), title: typeof v.title === 'string' ? v.title.slice(0, 200) : '', ...(typeof v.ref === 'string' && v.ref ? { ref: v.ref.slice(0, 300) } : {}) };
}

export function parseVisitor(e: PresenceEntry): VisitorPresence {
  const s = isObj(e.s) ? e.s : {};
  const trail = Array.isArray(s.trail) ? s.trail.map(parsePage).filter((p): p is VisitorPage => !!p).slice(0, 10) : [];
  const page = parsePage(s.page);
  return {
    id: e.id,
    name: e.name,
    ...(genTag(e.gen) ? { gen: e.gen } : {}),
    ...(e.conv ? { conv: e.conv } : {}),
    ...(page ? { page } : {}),
    trail,
    ...(typeof s.since === 'number' ? { since: s.since } : {}),
  };
}
