// The visitor widget: launcher + chat window (or a full page), inside a Shadow DOM root, on top of KefuClient.
// CSP-safe: no inline script or style; styles come from kefu-widget.css through a <link> in the shadow root, and the
// accent colour is a custom property set through the CSSOM.
import { transformIndex, type TextOperation } from '../../ot/text-operation';
import { en, type Lang, type Strings } from '../../i18n';
import type { KefuClient } from '../../sync/kefu-client';
import { MessageChannel, type MessageItem } from '../../sync/message-channel';
import { PresenceChannel } from '../../sync/presence-channel';
import { TextChannel } from '../../sync/text-channel';
import { SITE_CHANNEL, conversationChannel, visitorDraftChannel } from '../../protocol/channels';
import type { PresenceEntry, WelcomeFrame } from '../../protocol/server-frames';
import { isObj } from '../../protocol/validation';
import { AwaySlot } from './away-slot';
import { FILES_MODULE_EVENT, type FilesModule } from './files-slot';
import { loadModule } from './lazy-module';
import { el, icon, ICON_BELL, ICON_CHAT, ICON_CLIP, ICON_CLOSE, ICON_SEND } from './dom';
import { UPLOAD_MODULE_EVENT, type UploadModule, type Uploads } from './upload-slot';
import { dayLabel } from './dates';
import { messageKey, renderMessage } from './render';
import { FAILED_MODULE_EVENT, type FailedModule } from './failed-slot';
import { CLOSED_MODULE_EVENT, type ClosedCard } from './closed-slot';
import { BOT_MODULE_EVENT, type BotModule } from './bot-slot';
import { LINKS_MODULE_EVENT, type LinksModule } from './links-slot';
import { PEEK_MODULE_EVENT, type PeekModule } from './peek-slot';
import { beep, unlockAudio } from './sound';
import { isOffline } from '../../util/env';

export interface WidgetConfig {
  endpoint: string;
  lang: Lang;
  position: 'right' | 'left';
  // `| undefined`: the entry script fills these from data- attributes that may be missing
  color?: string | undefined;
  title?: string | undefined;
  site?: string | undefined;
  mode: 'widget' | 'page';
  /** URL of kefu-widget.css (beside the script) */
  css?: string | undefined;
  /** URL of this script, and its CSP nonce: kefu-away.js is loaded beside it, with the same nonce */
  script?: string | undefined;
  nonce?: string | undefined;
  /** the visitor token from the page (kefu-files.js sends it with its requests) */
  token?: string | undefined;
  /** the strings of `lang` (English when absent: the entry loads zh-CN's as kefu-zh.js) */
  strings?: Strings | undefined;
}

interface Identity {
  conv: string;
  me: string;
}

const TYPING_IDLE_MS = 3000;
const noop = (): void => {};

export class Widget {
  readonly host: HTMLElement;
  private readonly s: Strings;
  /** the launcher's column (kefu-peek.js puts its card above the launcher) */
  readonly root: HTMLDivElement;
  private readonly muteBtn: HTMLButtonElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly panel: HTMLElement;
  private readonly status: HTMLParagraphElement;
  private readonly hint: HTMLParagraphElement;
  private readonly connNote: HTMLParagraphElement;
  /** the message list (kefu-closed.js puts its card at the end) */
  readonly list: HTMLOListElement;
  private readonly empty: HTMLLIElement;
  private readonly typing: HTMLParagraphElement;
  /** "New messages ↓": a message came while the visitor had scrolled up */
  private readonly cue: HTMLButtonElement;
  private readonly count: HTMLParagraphElement;
  /** the server's limit of a message (welcome.limits.maxText) */
  private max = 4000;
  private readonly input: HTMLTextAreaElement;
  private readonly sendBtn: HTMLButtonElement;
  private readonly items = new Map<string, HTMLLIElement>();
  /** the local day the day separators were drawn on */
  private drawnDay = '';
  private isOpen = false;
  private id: Identity | null = null;
  /** the conversation shown now */
  msgs: MessageChannel | null = null;
  private draft: TextChannel | null = null;
  private site: PresenceChannel;
  private unread = 0;
  private readMarked = 0;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private typingNow = false;
  private lastConvPresence = '';
  private titleOrig = document.title;
  private titleSet = '';
  private readonly idKey: string;
  private readonly away: AwaySlot;
  /** fills the file chips (kefu-files.js, loaded with the first one) */
  private files: Promise<(list: HTMLElement) => void> | undefined;
  /** the handover lines and "Talk to a person" (kefu-bot.js, loaded with the first bot message or handover) */
  private bot: Promise<(list: HTMLElement, items: MessageItem[]) => void> | undefined;
  /** adds why and the buttons to a failed message (kefu-failed.js, loaded with the first one) */
  private failed: Promise<(li: HTMLElement, m: MessageItem) => void> | undefined;
  /** sends files (kefu-upload.js, loaded with the first one attached, or the first one in the outbox) */
  private up: Promise<Uploads> | undefined;
  /** the closed conversation's card (kefu-closed.js, loaded with the first close shown) */
  private card: Promise<ClosedCard> | undefined;
  /** turns links in messages into <a> (kefu-links.js, loaded with the first message that may hold one) */
  private links: Promise<LinksModule> | undefined;
  /** the proactive message's card on a phone (kefu-peek.js, loaded with the first one) */
  private peek: Promise<PeekModule> | undefined;
  private locked = false;
  private early = false; // Enter pressed before the conversation was known

  constructor(
    readonly client: KefuClient,
    readonly cfg: WidgetConfig,
  ) {
    this.s = cfg.strings ?? en;
    this.idKey = `kefu:me:${cfg.endpoint}`;
    const s = this.s;
    const page = cfg.mode === 'page';

    this.host = el('div', { id: 'kefu-sync', 'data-testid': 'kefu-host', 'data-kefu-mode': cfg.mode });
    const shadow = this.host.attachShadow({ mode: 'open' });
    if (cfg.css) {
      // Hidden until the stylesheet is in, so the page never flashes unstyled controls.
      this.host.hidden = true;
      const link = el('link', { rel: 'stylesheet', href: cfg.css });
      const show = (): void => {
        this.host.hidden = false;
      };
      link.addEventListener('load', show);
      link.addEventListener('error', show);
      setTimeout(show, 3000);
      shadow.append(link);
    }

    this.badge = el('span', { class: 'badge', 'data-testid': 'kefu-unread', 'aria-hidden': 'true', hidden: true });
    this.launcher = el('button', { type: 'button', class: 'launcher', 'data-testid': 'kefu-launcher', 'aria-label': s.open, 'aria-expanded': 'false', 'aria-controls': 'kefu-panel' }, icon(ICON_CHAT, 28), this.badge);
    this.launcher.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));

    const title = el('h2', { id: 'kefu-title', 'data-testid': 'kefu-title' }, cfg.title || s.title);
    this.status = el('p', { class: 'status', 'data-testid': 'kefu-status', 'data-online': 'false' });
    const closeBtn = el('button', { type: 'button', class: 'close', 'data-testid': 'kefu-close', 'aria-label': s.close }, icon(ICON_CLOSE, 20));
    closeBtn.addEventListener('click', () => this.close());
    // a toggle (aria-pressed), remembered per site in this browser: every tab of the site is quiet or none is
    this.muteBtn = el('button', { type: 'button', class: 'close mute', 'data-testid': 'kefu-mute', 'aria-label': s.mute, title: s.mute }, icon(ICON_BELL, 20));
    this.muteBtn.addEventListener('click', () => this.muted(!this.muted()));
    this.muted();
    const head = el('header', { class: 'head' }, el('div', { class: 'who' }, title, this.status), el('div', { class: 'tools' }, this.muteBtn, page ? null : closeBtn));

    this.hint = el('p', { class: 'hint', 'data-testid': 'kefu-offline-hint', hidden: true }, s.offlineHint);
    this.away = new AwaySlot(cfg.lang, cfg.endpoint, { src: cfg.script, nonce: cfg.nonce }, {
      saveEmail: (email) => this.saveEmail(email),
      launcher: (visible) => (this.launcher.hidden = !visible),
      lock: (locked) => this.setLocked(locked),
    });
    this.connNote = el('p', { class: 'conn', 'data-testid': 'kefu-conn', role: 'status', hidden: true }, s.connecting);
    this.empty = el('li', { class: 'empty', 'data-testid': 'kefu-empty' }, s.empty);
    this.list = el('ol', { class: 'list', role: 'log', 'aria-live': 'polite', 'aria-label': s.messages, 'data-testid': 'kefu-messages', tabindex: '0' }, this.empty);
    this.cue = el('button', { type: 'button', class: 'cue', hidden: true }, s.newMsgs);
    this.cue.addEventListener('click', () => this.scrollDown(true));
    // gone at the bottom, however the visitor got there
    this.list.addEventListener('scroll', () => this.atBottom() && (this.cue.hidden = true));
    this.typing = el('p', { class: 'typing', 'data-testid': 'kefu-typing', 'aria-live': 'polite', hidden: true }, s.typing);

    // Longer than a message may be, so a long paste is not cut silently: the counter says it is too long (and by how
    // much), and Send refuses it. Bounded anyway: the draft of every keystroke travels in one frame.
    this.input = el('textarea', { 'data-testid': 'kefu-input', 'aria-label': s.placeholder, placeholder: s.placeholder, rows: '1', maxlength: '8000', enterkeyhint: 'send' });
    this.count = el('p', { class: 'count', 'data-testid': 'kefu-count', 'aria-live': 'polite', hidden: true });
    this.sendBtn = el('button', { type: 'submit', class: 'send', 'data-testid': 'kefu-send', 'aria-label': s.send, title: s.send }, icon(ICON_SEND, 20));
    // files: the paperclip opens the chooser (and loads kefu-upload.js meanwhile); see the panel's listeners below
    const file = el('input', { type: 'file', multiple: true, hidden: true });
    const attach = el('button', { type: 'button', class: 'attach', 'data-testid': 'kefu-attach', 'aria-label': s.attach }, icon(ICON_CLIP, 20));
    attach.addEventListener('click', () => {
      file.value = ''; // the same file chosen again is a change too
      file.click();
      this.upl().catch(noop);
    });
    const form = el('form', { class: 'compose', 'data-testid': 'kefu-form' }, attach, file, this.input, this.sendBtn);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        void this.submit();
      }
    });
    this.input.addEventListener('input', () => this.onInput());

    this.panel = el('section', { id: 'kefu-panel', class: 'panel', role: page ? 'main' : 'dialog', 'aria-labelledby': 'kefu-title', 'data-testid': 'kefu-window', hidden: !page }, head, this.hint, this.away.element, this.connNote, this.list, this.cue, this.typing, this.count, form);
    // Chosen (the file input's change), pasted (an image in the clipboard) or dragged over and dropped: kefu-upload.js
    // takes it from here. The files are read now: a DataTransfer is empty once its event is over.
    for (const t of ['change', 'paste', 'dragenter', 'dragover', 'dragleave', 'drop']) {
      this.panel.addEventListener(t, (e) => {
        const d = (e as DragEvent).dataTransfer ?? (e as ClipboardEvent).clipboardData;
        const f = (d ?? (e.target as HTMLInputElement)).files;
        // text pasted or dragged, a textarea's change: the browser's own
        if (!f?.length && !d?.types.includes('Files')) return;
        e.preventDefault();
        const files = [...(f ?? [])];
        this.upl().then((u) => u.take(t, files), noop);
      });
    }
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && !page) {
        e.stopPropagation();
        this.close();
      }
    });

    this.root = el('div', { class: `root pos-${cfg.position} mode-${cfg.mode}`, 'data-testid': 'kefu-root', lang: cfg.lang }, page ? null : this.launcher, this.panel);
    if (cfg.color) this.root.style.setProperty('--kefu-accent', cfg.color);
    shadow.append(this.root);

    // ---- sync ----
    client.uploader = (r, current) => this.upl().then((u) => u.upload(r, current));
    this.site = new PresenceChannel(client, SITE_CHANNEL);
    this.site.on('presence', () => this.renderPresence());
    client.setPresence(SITE_CHANNEL, sitePresence(cfg.endpoint));
    client.on('state', () => this.renderConn());
    for (const e of ['online', 'offline']) addEventListener(e, () => this.renderConn());
    client.on('welcome', (w) => this.onWelcome(w));
    client.on('avail', (a) => this.away.setAvailability(a));
    client.on('tabs', () => this.notifyTitle());
    client.on('leader', () => this.notifyTitle());
    const cached = this.loadIdentity();
    if (cached) this.bind(cached);
    document.addEventListener('visibilitychange', () => this.onVisibility());
    unlockAudio();
    if (page) {
      this.isOpen = true;
      this.onVisibility();
    }
    // open on the page before (navigation, refresh): open again, without taking the focus from the page
    if (this.shown() === '0') this.open(false);
    this.renderConn();
    this.renderPresence();
  }

  // ---- public ----

  open(focus = true): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.launcher.setAttribute('aria-label', this.s.close);
    this.root.classList.add('open');
    this.shown('0');
    if (focus) this.input.focus();
    this.scrollDown();
    this.onVisibility();
    this.renderPresence();
    this.fire('open');
  }

  close(): void {
    if (!this.isOpen || this.cfg.mode === 'page') return;
    this.isOpen = false;
    this.shown('1');
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-label', this.s.open);
    this.root.classList.remove('open');
    this.launcher.focus();
    this.onVisibility();
    this.renderPresence();
    this.fire('close');
  }

  get opened(): boolean {
    return this.isOpen;
  }

  /**
   * The chat's state in this browser session (sessionStorage, per endpoint): '0' open, '1' closed by the visitor (then
   * agent messages only badge the launcher), null neither yet. Sets it first with `v`.
   */
  /** Sounds off? With `v`, sets it (localStorage: the leader tab beeps for all, so all tabs read the same answer). */
  private muted(v?: boolean): boolean {
    // storage blocked: not muted, and the button says so
    const on = !!this.pref('mute', true, v === undefined ? v : v ? '1' : '');
    this.muteBtn.setAttribute('aria-pressed', String(on));
    return on;
  }

  /** The visitor dismissed a proactive message's card: no agent message opens the chat, or peeks, again this session. */
  keepClosed(): void {
    this.shown('1');
  }

  private shown(v?: string): string | null {
    return this.pref('dismissed', false, v);
  }

  /** A setting of this site's widget in this browser (localStorage) or this tab (sessionStorage); null if blocked. */
  private pref(name: string, local: boolean, v?: string): string | null {
    const k = `kefu:${name}:${this.cfg.endpoint}`;
    try {
      const st = local ? localStorage : sessionStorage;
      if (v !== undefined) st.setItem(k, v);
      return st.getItem(k);
    } catch {
      return null; // storage blocked
    }
  }

  // ---- identity and channels ----

  private loadIdentity(): Identity | null {
    try {
      const v = JSON.parse(localStorage.getItem(this.idKey) ?? 'null') as Identity | null;
      return v && typeof v.conv === 'string' && typeof v.me === 'string' ? v : null;
    } catch {
      return null;
    }
  }

  private onWelcome(w: WelcomeFrame): void {
    this.away.setAvailability(w.avail);
    if (!w.conv) return;
    const id = { conv: w.conv, me: w.me.id };
    if (w.limits?.maxText) {
      this.max = w.limits.maxText;
      this.input.maxLength = 2 * this.max;
    }
    try {
      localStorage.setItem(this.idKey, JSON.stringify(id));
    } catch {
      // ignore
    }
    this.bind(id);
  }

  private bind(id: Identity): void {
    if (this.id && this.id.conv === id.conv && this.id.me === id.me) return;
    this.msgs?.close();
    this.draft?.close();
    this.id = id;
    for (const li of this.items.values()) li.remove();
    this.items.clear();
    const cacheKey = `kefu:cache:${this.cfg.endpoint}:${id.conv}`;
    const cache = {
      load: (): unknown => JSON.parse(localStorage.getItem(cacheKey) ?? 'null'),
      save: (v: unknown): void => localStorage.setItem(cacheKey, JSON.stringify({ me: id.me, ...(v as object) })),
    };
    let stored: unknown;
    try {
      stored = cache.load();
    } catch {
      stored = null; // unreadable: MessageChannel restores nothing from it either
    }
    // the cache of another identity is not ours to show
    if (isObj(stored) && stored.me !== id.me) localStorage.removeItem(cacheKey);
    this.msgs = new MessageChannel(this.client, conversationChannel(id.conv), cache);
    const msgs = this.msgs;
    msgs.on('change', () => msgs === this.msgs && this.renderMessages());
    this.away.setEmail(this.storedEmail());
    msgs.on('presence', () => this.renderPresence());
    msgs.on('message', (m, live) => {
      // own messages, and a handover line (no author): nothing for the page to hear of, no beep
      if (m.by === id.me || !m.by) return;
      this.fire('message', { text: m.text, role: m.role, rev: m.rev, name: m.name });
      if (live && !this.atBottom()) this.cue.hidden = false;
      // an agent wrote first (proactive chat): show it, unless the visitor closed the chat after the last time
      // (on a phone, where the open chat is the whole screen, a card above the launcher shows it instead)
      if (live && m.role === 'agent' && !this.isOpen && !m.edited && !m.recalled && this.shown() !== '1') {
        if (matchMedia('(max-width: 480px)').matches) {
          (this.peek ??= this.load<PeekModule>(PEEK_MODULE_EVENT)).then((show) => show(this, m), () => (this.peek = undefined));
        } else this.open(false);
      }
      if (live && this.client.isLeader && !this.client.attentive() && !this.muted()) beep({ src: this.cfg.script, nonce: this.cfg.nonce });
    });
    this.draft = new TextChannel(this.client, visitorDraftChannel(id.conv), true);
    if (this.input.value) this.draft.edit(this.input.value);
    this.draft.on('change', (doc, op) => this.onDraft(doc, op));
    if (this.early) void this.submit();
    this.renderMessages();
    this.pushConvPresence(true);
    this.renderConn();
  }

  // ---- offline form: the email on the visitor's profile ----

  private emailKey(): string {
    return `kefu:email:${this.cfg.endpoint}:${this.id?.conv ?? ''}`;
  }

  /** The email on record: the conversation's latest `contact` op, else what this browser saved. */
  private storedEmail(): string | null {
    const fromLog = this.msgs?.log.contact ?? null;
    if (fromLog) return fromLog;
    try {
      return localStorage.getItem(this.emailKey());
    } catch {
      return null;
    }
  }

  private async saveEmail(email: string): Promise<void> {
    if (!this.msgs) return;
    await this.msgs.submitOp({ k: 'contact', email, lang: this.cfg.lang });
    try {
      localStorage.setItem(this.emailKey(), email);
    } catch {
      // storage blocked: the contact op is on the server anyway
    }
    this.away.setEmail(email);
  }

  private setLocked(locked: boolean): void {
    if (locked === this.locked) return;
    this.locked = locked;
    this.input.disabled = locked;
    this.sendBtn.disabled = locked || !this.msgs;
  }

  // ---- input: the vdraft document ----

  private onInput(): void {
    this.draft?.edit(this.input.value);
    this.renderCount();
    this.typingNow = this.input.value.length > 0;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => {
      this.typingNow = false;
      this.pushConvPresence();
    }, TYPING_IDLE_MS);
    this.pushConvPresence();
  }

  private onDraft(doc: string, op: TextOperation | null): void {
    const ta = this.input;
    if (ta.value === doc) return;
    let a = ta.selectionStart;
    let b = ta.selectionEnd;
    if (op && op.baseLength === ta.value.length) {
      a = transformIndex(op, Math.min(a, op.baseLength), false);
      b = transformIndex(op, Math.min(b, op.baseLength), false);
    } else {
      a = b = doc.length;
    }
    ta.value = doc;
    this.renderCount();
    if (document.activeElement === this.host && this.host.shadowRoot?.activeElement === ta) ta.setSelectionRange(a, b);
  }

  private async submit(): Promise<void> {
    const text = this.input.value.trim();
    // before the first welcome a new visitor has no conversation yet: send when it is bound (bind)
    this.early = !this.msgs;
    if (!this.msgs || this.locked) return;
    if (text.length > this.max) {
      // refused here, clearly (the server would refuse it too): the counter says by how much
      this.renderCount(true);
      return;
    }
    // the chosen files first, then the text: in the outbox, and so in the conversation, in this order
    await this.up?.then((u) => u.send(), noop);
    if (!text) {
      this.scrollDown(true);
      return;
    }
    this.input.value = '';
    this.renderCount();
    const cleared = this.draft?.edit('', true);
    this.typingNow = false;
    this.pushConvPresence();
    await this.msgs.send(text, cleared);
    this.scrollDown(true);
  }

  /** Near the limit: how many characters of how many; over it: too long. */
  private renderCount(show = false): void {
    const n = this.input.value.length;
    const over = n > this.max;
    this.count.hidden = !show && n < this.max * 0.9;
    this.count.textContent = over ? this.s.tooLong(n, this.max) : `${n} / ${this.max}`;
    this.count.classList.toggle('over', over);
    this.input.setAttribute('aria-invalid', String(over));
  }

  // ---- presence, read markers, notifications ----

  private onVisibility(): void {
    this.muted(); // another tab may have switched it
    // the day separators: after midnight "Today" is yesterday (a redraw only then, not on every visibility change)
    if (new Date().toDateString() !== this.drawnDay) this.renderMessages();
    this.client.setAttention(document.visibilityState === 'visible', this.isOpen);
    this.pushConvPresence();
    this.maybeMarkRead();
    this.notifyTitle();
  }

  private pushConvPresence(force = false): void {
    if (!this.id) return;
    const s = { typing: this.typingNow, visible: this.isOpen && document.visibilityState === 'visible' };
    const key = JSON.stringify(s);
    if (!force && key === this.lastConvPresence) return;
    this.lastConvPresence = key;
    this.client.setPresence(conversationChannel(this.id.conv), s);
  }

  private maybeMarkRead(): void {
    const m = this.msgs;
    if (!m || !this.id || !this.isOpen || document.visibilityState !== 'visible') return;
    const last = m.log.messages[m.log.messages.length - 1];
    if (!last || this.unread === 0 || m.log.rev <= this.readMarked) return;
    this.readMarked = m.log.rev;
    void m.markRead(m.log.rev);
  }

  /** Title badge "(n) Title": only the leader tab, only while no tab shows the open chat. */
  private notifyTitle(): void {
    const want = this.client.isLeader && this.unread > 0 && !this.client.attentive();
    if (this.titleSet && document.title !== this.titleSet) this.titleOrig = document.title; // the page changed it
    if (want) {
      this.titleSet = `(${this.unread}) ${this.titleOrig}`;
      document.title = this.titleSet;
    } else if (this.titleSet) {
      if (document.title === this.titleSet) document.title = this.titleOrig;
      this.titleSet = '';
    }
  }

  // ---- rendering ----

  /** Agents available now: on `site` (not away), or looking at this conversation. */
  private agents(): PresenceEntry[] {
    const away = (e: PresenceEntry): boolean => (e.s as { status?: unknown } | null)?.status === 'away';
    return [...this.site.list.filter((e) => !away(e)), ...(this.msgs?.presenceList ?? [])].filter((e) => e.role === 'agent');
  }

  private renderPresence(): void {
    const s = this.s;
    const st = this.client.state;
    const up = st === 'open';
    // Who is online is known only while connected: else the header says what the connection is doing instead
    const online = up && this.agents().length > 0;
    const net = isOffline();
    this.status.setAttribute('data-online', String(online));
    this.status.setAttribute('data-conn', up ? 'open' : net ? 'offline' : st);
    this.status.replaceChildren(el('span', { class: 'dot', 'aria-hidden': 'true' }), this.cfg.site ? `${this.cfg.site} · ` : '', up ? (online ? s.online : s.offline) : net ? s.noNet : st === 'stopped' ? s.stopped : s.connecting);
    const typing = (this.msgs?.presenceList ?? []).some((e) => e.role === 'agent' && (e.s as { typing?: unknown } | null)?.typing === true);
    // the offline form follows what is known: a dropped connection is not "nobody is there"
    if (up) this.away.update({ agentsOnline: online, hasMessages: (this.msgs?.log.messages.length ?? 0) > 0, open: this.isOpen });
    this.away.setEmail(this.storedEmail());
    const hint = online || !up || this.away.outside;
    if (this.typing.hidden === !typing && this.hint.hidden === hint) return;
    // the typing line and the hint take height from the list: keep the newest message in view
    const atBottom = this.atBottom();
    this.hint.hidden = hint;
    this.typing.hidden = !typing;
    if (atBottom) this.scrollDown();
  }

  private atBottom(): boolean {
    return this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
  }

  private renderConn(): void {
    const st = this.client.state;
    if (this.connNote.hidden !== (st === 'open')) {
      const atBottom = this.atBottom();
      this.connNote.hidden = st === 'open';
      if (atBottom) this.scrollDown();
    }
    this.connNote.textContent = st === 'stopped' ? this.s.stopped : isOffline() ? this.s.noNet : this.s.connecting;
    this.root.setAttribute('data-state', st);
    this.sendBtn.disabled = !this.msgs || this.locked;
    this.renderPresence();
  }

  private renderMessages(): void {
    const m = this.msgs;
    const id = this.id;
    if (!m || !id) return;
    const atBottom = this.atBottom();
    this.drawnDay = new Date().toDateString();
    const items: MessageItem[] = m.items(id.me);
    const keep = new Set<string>();
    let prev: Element = this.empty;
    let day = '';
    for (const it of items) {
      // a separator before the first message of each day (kept in `items` too, under a key no op id can be)
      const d = dayLabel(it.ts, this.cfg.lang, this.s.today);
      if (d !== day) {
        day = d;
        const k = `\n${d}`;
        keep.add(k);
        const sep = this.items.get(k) ?? el('li', { class: 'day', 'data-testid': 'kefu-day' }, d);
        this.items.set(k, sep);
        if (prev.nextElementSibling !== sep) prev.after(sep);
        prev = sep;
      }
      const key = messageKey(it);
      keep.add(key);
      const li = renderMessage(it, this.s, this.cfg.lang, this.items.get(key));
      this.items.set(key, li);
      if (prev.nextElementSibling !== li) prev.after(li);
      prev = li;
    }
    for (const [key, li] of this.items) {
      if (!keep.has(key)) {
        li.remove();
        this.items.delete(key);
      }
    }
    this.empty.hidden = items.length > 0;
    if (items.some((x) => x.att)) {
      (this.files ??= this.load<FilesModule>(FILES_MODULE_EVENT).then((f) =>
        f.create(this.cfg, this.client, () => this.msgs),
      )).then((fill) => fill(this.list), () => (this.files = undefined));
    }
    // a message that may hold a link (kefu-links.js decides which are)
    if (items.some((x) => /https?:|www\./i.test(x.text))) {
      (this.links ??= this.load<LinksModule>(LINKS_MODULE_EVENT)).then((fill) => fill(this.list), () => (this.links = undefined));
    }
    if (items.some((x) => x.att && !x.rev)) this.upl().then((u) => u.fill(this.list), noop);
    // a bot's conversation: the handover lines' words and "Talk to a person" (kefu-bot.js, bot-slot.ts)
    if (items.some((x) => x.role === 'bot' || x.role === 'sys')) {
      (this.bot ??= this.load<BotModule>(BOT_MODULE_EVENT).then((b) => b.create(this.cfg.lang, () => this.msgs))).then(
        (fill) => fill(this.list, items),
        () => (this.bot = undefined),
      );
    }
    // a failed file's reason and buttons come with its preview (kefu-upload.js)
    const failed = items.filter((x) => x.status === 'failed' && !x.att);
    if (failed.length) {
      (this.failed ??= this.load<FailedModule>(FAILED_MODULE_EVENT).then((f) => f.create(this.cfg.lang, () => this.msgs, this.input))).then(
        (fill) => {
          for (const x of failed) {
            const li = this.items.get(messageKey(x));
            if (li) fill(li, x);
          }
        },
        () => (this.failed = undefined),
      );
    }
    // closed (by the log, in every tab): the rating card, loaded with the first close shown; once loaded it follows
    // every change (a reopen removes the card)
    if (this.card || (m.log.ops.status?.op as { status?: unknown } | undefined)?.status == 'closed') {
      (this.card ??= this.load<ClosedCard>(CLOSED_MODULE_EVENT)).then((fill) => fill(this), () => (this.card = undefined));
    }
    this.away.setEmail(this.storedEmail()); // a contact op from another tab or device
    // pending items render under their outbox id, committed ones under their op id: the same key, so no flicker
    const readUpTo = m.readUpTo(id.me);
    const unread = items.filter((x) => !x.own && x.rev > readUpTo && x.role === 'agent' && !x.recalled).length;
    if (unread !== this.unread) {
      this.unread = unread;
      this.fire('unread', { count: unread });
    }
    this.badge.hidden = unread === 0;
    this.badge.textContent = unread > 99 ? '99+' : String(unread);
    this.launcher.setAttribute('aria-label', this.isOpen ? this.s.close : unread ? `${this.s.open} (${this.s.unread(unread)})` : this.s.open);
    if (atBottom) this.scrollDown();
    this.maybeMarkRead();
    this.notifyTitle();
  }

  /** kefu-upload.js, once (again after a failed load). */
  private upl(): Promise<Uploads> {
    return (this.up ??= this.load<UploadModule>(UPLOAD_MODULE_EVENT).then(
      (m) => m.create(this.cfg, this.client, () => this.msgs, this.panel),
      (e: unknown) => {
        this.up = undefined;
        throw e;
      },
    ));
  }

  /** One of the lazily loaded scripts (named by its *_MODULE_EVENT), beside this one and with its nonce. */
  private load<T>(file: string): Promise<T> {
    return loadModule<T>(file, { src: this.cfg.script, nonce: this.cfg.nonce });
  }

  private scrollDown(force = false): void {
    if (force || this.isOpen) this.list.scrollTop = this.list.scrollHeight;
  }

  private fire(name: string, detail?: unknown): void {
    dispatchEvent(new CustomEvent(`kefu:${name}`, { detail }));
  }
}

const TRAIL_PAGES = 5;

/**
 * This page as the visitor's `site` presence: the current page, the last few pages before it in this session (the
 * trail, newest first) and the referrer of the visit, plus when the visit started. Kept in sessionStorage per tab.
 */
export function sitePresence(endpoint: string): { page: { url: string; title: string; ref: string }; trail: Array<{ url: string; title: string }>; since: number } {
  const key = `kefu:trail:${endpoint}`;
  const page = { url: location.href.slice(0, 400), title: document.title.slice(0, 200), ref: document.referrer.slice(0, 300) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(sessionStorage.getItem(key) ?? '{}');
  } catch {
    parsed = null; // blocked or corrupt: start a new trail
  }
  const stored = isObj(parsed) ? parsed : {};
  const pages = (Array.isArray(stored.pages) ? (stored.pages as unknown[]) : [])
    .filter((p): p is { url: string; title: string } => isObj(p) && typeof p.url === 'string' && typeof p.title === 'string')
    .filter((p) => p.url !== page.url)
    .slice(0, TRAIL_PAGES);
  const since = typeof stored.since === 'number' ? stored.since : Date.now();
  // the referrer of the visit (the first page's), not the previous page of this site
  const ref = typeof stored.ref === 'string' ? stored.ref : page.ref;
  try {
    sessionStorage.setItem(key, JSON.stringify({ since, ref, pages: [{ url: page.url, title: page.title }, ...pages].slice(0, TRAIL_PAGES + 1) }));
  } catch {
    // storage blocked: this page only
  }
  // presence state is at most 1 KiB: shorten the trail's entries, then drop the oldest ones
  const out = { page: { ...page, ref }, trail: pages.map((p) => ({ url: p.url.slice(0, 160), title: p.title.slice(0, 60) })), since };
  while (JSON.stringify(out).length > 1000 && out.trail.length) out.trail.pop();
  if (JSON.stringify(out).length > 1000) out.page = { url: page.url.slice(0, 300), title: page.title.slice(0, 100), ref: ref.slice(0, 200) };
  return out;
}
