// One open conversation in the console: messages (tail + paging back), read markers both ways, the visitor's typing
// indicator and live draft preview, the co-edited reply draft with other agents' cursors, internal notes, the
// visitor's pages and fields, edit/recall of one's own messages, and the status/assign actions.
import type { KefuClient } from '../../sync/kefu-client';
import { PagedMessageChannel } from '../../sync/paged-message-channel';
import type { ChatMessage } from '../../sync/message-log';
import { TextChannel } from '../../sync/text-channel';
import { conversationChannel, draftChannel, noteChannel, visitorDraftChannel } from '../../protocol/channels';
import type { Me, PresenceEntry } from '../../protocol/server-frames';
import { isObj } from '../../protocol/validation';
import { errorCodeOf } from '../../sync/local-errors';
import { cannedMatches, cannedTrigger, expandCanned } from '../../console/canned';
import type { Summary } from '../../console/inbox';
import { el } from '../widget/dom';
import { formatTime } from '../widget/dates';
import { filesStrings } from '../../i18n/files';
import { chipFiller, type ChipFiller } from '../files/file-chip';
import { FileLinks } from '../files/file-links';
import type { Attachment } from '../../protocol/attachment';
import { CANNED_SCOPE, draftOps, isImage } from '../../console/files';
import { DraftFiles } from './draft-files';
import { ImageViewer } from './image-viewer';
import { ReplyBox, colorClass } from './reply-box';
import type { ConsoleStrings } from './strings';
import { bindTextarea, type TextBinding } from './text-binding';
import { visitorLabel } from './visitor-name';

/** How long after sending an agent may edit or recall (KefuConversationOptions.EditWindow default). */
export const EDIT_WINDOW_MS = 2 * 60 * 1000;
const PAGE = 50;
const REPLYING_IDLE_MS = 4000;

export interface AgentInfo {
  id: string;
  name: string;
  status: string;
}

export interface VisitorPage {
  url: string;
  title: string;
  ref?: string;
}

export interface VisitorPresence {
  id: string;
  name: string;
  /** the tag of a server-generated name (protocol §2.2 `gen`) */
  gen?: string;
  conv?: string;
  page?: VisitorPage;
  trail: VisitorPage[];
  since?: number;
}

export interface ConversationHost {
  readonly client: KefuClient;
  readonly me: Me;
  readonly s: ConsoleStrings;
  readonly lang: string;
  /** the KefuSync prefix (for the file links of section 9) */
  readonly endpoint: string;
  summary(key: string): Summary | undefined;
  agents(): AgentInfo[];
  agentName(id: string): string;
  visitor(conv: string): VisitorPresence | undefined;
  canned(): { names: string[]; text: (name: string) => string | undefined; file: (name: string) => Attachment | undefined };
  back(): void;
  error(code: string): void;
}

export class ConversationView {
  readonly main: HTMLElement;
  readonly details: HTMLElement;
  readonly msgs: PagedMessageChannel;
  private readonly vdraft: TextChannel;
  private readonly draft: TextChannel;
  private readonly note: TextChannel;
  private readonly reply: ReplyBox;
  private readonly files: DraftFiles;
  private readonly viewer: ImageViewer;
  private links: FileLinks | undefined;
  private readonly noteBinding: TextBinding;
  private readonly list: HTMLOListElement;
  private readonly olderBtn: HTMLButtonElement;
  /** the first row of the list, above every message: messages are placed after it */
  private readonly olderRow: HTMLLIElement;
  private readonly head: HTMLElement;
  private readonly viewers: HTMLParagraphElement;
  private readonly typing: HTMLParagraphElement;
  private readonly preview: HTMLParagraphElement;
  private readonly cannedHint: HTMLParagraphElement;
  private readonly info: HTMLDivElement;
  private readonly items = new Map<string, HTMLLIElement>();
  private editing: number | null = null;
  /** fills file chips: signed links asked with the agent's cookie (§9.1), cached until they expire */
  private fillChip: ChipFiller | undefined;
  private replying = false;
  private replyTimer: ReturnType<typeof setTimeout> | undefined;
  private lastConvPresence = '';
  private readMarked = 0;
  private loadingOlder = false;
  private draftLoaded = false;
  private clock: ReturnType<typeof setInterval>;
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly host: ConversationHost,
    readonly key: string,
  ) {
    const { client, s } = host;
    this.msgs = new PagedMessageChannel(client, conversationChannel(key), undefined, PAGE);
    this.vdraft = new TextChannel(client, visitorDraftChannel(key));
    this.draft = new TextChannel(client, draftChannel(key));
    this.note = new TextChannel(client, noteChannel(key));

    // ---- main column ----
    this.head = el('header', { class: 'conv-head', 'data-testid': 'conv-head' });
    this.viewers = el('p', { class: 'viewers', 'data-testid': 'viewers', 'aria-live': 'polite' });
    this.olderBtn = el('button', { type: 'button', class: 'older', 'data-testid': 'load-older' }, s.loadOlder);
    this.olderBtn.addEventListener('click', () => void this.loadOlder());
    this.list = el('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': s.messages, 'data-testid': 'messages', tabindex: '0' });
    this.list.addEventListener('scroll', () => {
      if (this.list.scrollTop < 60) void this.loadOlder();
    });
    this.typing = el('p', { class: 'typing', 'data-testid': 'visitor-typing', 'aria-live': 'polite', hidden: true });
    this.preview = el('p', { class: 'preview', 'data-testid': 'visitor-preview', hidden: true });
    this.cannedHint = el('p', { class: 'canned-hint', 'data-testid': 'canned-hint', 'aria-live': 'polite', hidden: true });

    this.reply = new ReplyBox(client, this.draft, s, () => this.onReplyInput());
    const ta = this.reply.textarea;
    ta.addEventListener('keydown', (e) => this.onReplyKey(e));
    ta.addEventListener('blur', () => this.setReplying(false));
    const sendBtn = el('button', { type: 'submit', class: 'send primary', 'data-testid': 'reply-send' }, s.send);
    // while a file of this tab is still uploading, Send waits: Enter right after a paste must not leave the file behind
    this.files = new DraftFiles(client, key, host.endpoint, s, this.filesStrings(), () => this.fileLinks(), (f) => {
      sendBtn.disabled = f.uploading;
    });
    // the paperclip before the reply box (as in most chat tools): Tab from the reply box still goes straight to Send
    const form = el('form', { class: 'compose', 'data-testid': 'reply-form' }, this.files.element, this.files.button, this.files.input, this.reply.element, sendBtn);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send();
    });
    // a pasted screenshot and files dropped on the reply form are attached like chosen ones
    ta.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (!files.length) return;
      e.preventDefault();
      this.files.addFiles(files);
    });
    const dragging = (on: boolean): void => {
      form.classList.toggle('dragging', on);
    };
    form.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      dragging(true);
    });
    form.addEventListener('dragleave', (e) => {
      if (!form.contains(e.relatedTarget as Node | null)) dragging(false);
    });
    form.addEventListener('drop', (e) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      dragging(false);
      if (!files.length) return;
      e.preventDefault();
      this.files.addFiles(files);
    });
    this.main = el('section', { class: 'conv', 'data-testid': 'conversation', 'data-key': key, 'aria-label': s.reply }, this.head, this.viewers, el('div', { class: 'messages-wrap' }, this.list), this.typing, this.preview, this.cannedHint, form);
    this.olderRow = el('li', { class: 'older-row' }, this.olderBtn);
    this.list.append(this.olderRow);
    // a thumbnail opens the viewer (Enter on the focused link is a click too) instead of a new tab
    this.viewer = new ImageViewer(s, () => this.fileLinks(), this.main);
    this.list.addEventListener('click', (e) => {
      const a = e.target instanceof Element ? e.target.closest('a') : null;
      const id = a?.querySelector('img.thumb') ? a.closest<HTMLElement>('.file')?.dataset.att : undefined;
      if (!a || !id) return;
      const images = this.images();
      const i = images.findIndex((x) => x.id === id);
      if (i < 0) return;
      e.preventDefault();
      this.viewer.open(images, i, a);
    });

    // ---- details column ----
    this.info = el('div', { class: 'visitor-info', 'data-testid': 'visitor-info' });
    const noteTa = el('textarea', { class: 'notes', 'data-testid': 'notes-input', 'aria-label': s.notes, placeholder: s.notesPlaceholder, rows: '6' });
    this.noteBinding = bindTextarea(noteTa, this.note);
    this.details = el('div', { class: 'details-body' }, this.info, el('h3', {}, s.notes), noteTa);

    // ---- sync ----
    this.offs.push(
      this.msgs.on('change', () => this.renderMessages()),
      this.msgs.on('presence', () => this.renderPresence()),
      this.vdraft.on('change', () => this.renderPresence()),
      this.draft.on('presence', () => this.renderPresence()),
      this.draft.on('change', (_d, op) => {
        if (op === null) this.draftLoaded = true;
      }),
    );
    const onVis = (): void => this.maybeMarkRead();
    document.addEventListener('visibilitychange', onVis);
    this.offs.push(() => document.removeEventListener('visibilitychange', onVis));
    this.clock = setInterval(() => this.renderMessages(), 15000);
    this.pushPresence(true);
    this.renderHead();
    this.renderInfo();
    this.renderMessages();
    this.renderPresence();
  }

  focusReply(): void {
    this.reply.textarea.focus();
  }

  /** Puts text in the shared draft when it is empty (proactive chat greeting), once the draft is loaded. */
  greet(text: string): void {
    const apply = (): void => {
      if (this.reply.value === '') this.reply.set(text, text.length);
    };
    if (this.draftLoaded) {
      apply();
      return;
    }
    const off = this.draft.on('change', (_doc, op) => {
      if (op !== null) return;
      off();
      queueMicrotask(apply);
    });
    this.offs.push(off);
  }

  destroy(): void {
    clearInterval(this.clock);
    clearTimeout(this.replyTimer);
    this.offs.forEach((f) => f());
    this.reply.destroy();
    this.files.destroy();
    this.viewer.destroy();
    this.noteBinding.unbind();
    this.host.client.setPresence(conversationChannel(this.key), null);
    this.msgs.close();
    this.vdraft.close();
    this.draft.close();
    this.note.close();
  }

  /** The inbox summary, the agents or the site presence changed. */
  refresh(): void {
    this.renderHead();
    this.renderInfo();
    this.renderPresence();
  }

  // ---- reply ----

  private onReplyInput(): void {
    this.setReplying(this.reply.value.length > 0);
    clearTimeout(this.replyTimer);
    this.replyTimer = setTimeout(() => this.setReplying(false), REPLYING_IDLE_MS);
    this.renderCannedHint();
  }

  private setReplying(v: boolean): void {
    if (this.replying === v) return;
    this.replying = v;
    this.pushPresence();
  }

  private onReplyKey(e: KeyboardEvent): void {
    if (e.isComposing) return;
    const ta = this.reply.textarea;
    if ((e.key === 'Tab' && !e.shiftKey) || (e.key === 'Enter' && !e.shiftKey)) {
      const c = this.host.canned();
      const caret = ta.selectionStart;
      const x = ta.selectionStart === ta.selectionEnd ? expandCanned(ta.value, caret, c.names, c.text) : null;
      if (x) {
        e.preventDefault();
        this.reply.set(x.text, x.caret);
        // the reply's file goes with it: copied into this conversation and attached to the draft (console/files.ts)
        const file = c.file(x.name);
        if (file) this.files.addCopy(CANNED_SCOPE, file);
        this.renderCannedHint();
        return;
      }
      if (e.key === 'Enter') {
        e.preventDefault();
        void this.send();
      }
    }
  }

  private renderCannedHint(): void {
    const ta = this.reply.textarea;
    const t = ta.selectionStart === ta.selectionEnd ? cannedTrigger(ta.value, ta.selectionStart) : null;
    const names = t ? cannedMatches(this.host.canned().names, t.query).slice(0, 6) : [];
    this.cannedHint.hidden = names.length === 0;
    this.cannedHint.textContent = names.map((n) => '/' + n).join('  ');
  }

  private async send(): Promise<void> {
    const text = this.reply.value.trim();
    const files = this.files.files;
    if ((!text && !files.length) || this.files.uploading) return;
    // clearing the draft is a delete op: every agent's reply box empties
    this.reply.set('', 0);
    this.setReplying(false);
    this.renderCannedHint();
    if (files.length) {
      // one msg per file, the text with the first; op ids follow from the attachment ids, so whichever agent sends,
      // and however often, each file is sent once (console/files.ts)
      this.files.clear(files);
      for (const { id, op } of draftOps(text, files)) await this.host.client.submit(conversationChannel(this.key), op, this.msgs.rev, id);
    } else {
      await this.msgs.send(text);
    }
    this.list.scrollTop = this.list.scrollHeight;
  }

  private filesStrings(): ReturnType<typeof filesStrings> {
    return filesStrings(this.host.lang === 'zh-CN' ? 'zh-CN' : 'en');
  }

  /** Signed links of this conversation's files, asked with the agent's cookie (§9.1), cached until they expire. */
  private fileLinks(): FileLinks {
    return (this.links ??= new FileLinks({ endpoint: this.host.endpoint, scope: () => this.key }));
  }

  /** The conversation's images, oldest first (what the viewer steps through). */
  private images(): Attachment[] {
    return this.msgs.log.messages.flatMap((m) => (m.att && !m.recalled && isImage(m.att) ? [m.att] : []));
  }

  // ---- presence ----

  private pushPresence(force = false): void {
    const s = { viewing: true, replying: this.replying, typing: this.replying };
    const k = JSON.stringify(s);
    if (!force && k === this.lastConvPresence) return;
    this.lastConvPresence = k;
    this.host.client.setPresence(conversationChannel(this.key), s);
  }

  private renderPresence(): void {
    const { s, me } = this.host;
    const list = this.msgs.presenceList;
    const others = new Map<string, { name: string; replying: boolean }>();
    for (const e of list) {
      if (e.role !== 'agent' || e.id === me.id) continue;
      const st = isObj(e.s) ? e.s : {};
      const prev = others.get(e.id);
      others.set(e.id, { name: e.name, replying: (prev?.replying ?? false) || st.replying === true });
    }
    this.viewers.replaceChildren();
    this.viewers.hidden = others.size === 0;
    if (others.size) {
      const chips = [...others.entries()].map(([id, o]) =>
        el('span', { class: `viewer ${colorClass(id)}`, 'data-testid': 'viewer', 'data-id': id, 'data-name': o.name, 'data-replying': String(o.replying) }, o.name, o.replying ? ` (${s.replying})` : ''),
      );
      this.viewers.append(s.viewing(''), ...chips);
    }
    const visitorTyping = list.some((e: PresenceEntry) => e.role === 'visitor' && isObj(e.s) && e.s.typing === true);
    const name = this.visitorName();
    this.typing.hidden = !visitorTyping;
    this.typing.textContent = s.typing(name);
    const preview = this.vdraft.doc;
    this.preview.hidden = preview.length === 0;
    this.preview.replaceChildren(el('span', { class: 'label' }, `${s.preview}: `), el('span', { 'data-testid': 'visitor-preview-text' }, preview));
  }

  // ---- header and details ----

  private visitorName(): string {
    const summary = this.host.summary(this.key);
    const v = this.host.visitor(this.key);
    return summary?.visitorName ? visitorLabel(summary.visitorName, summary.visitorGen, this.host.s) : visitorLabel(v?.name, v?.gen, this.host.s);
  }

  private renderHead(): void {
    const { s, me } = this.host;
    const sum = this.host.summary(this.key);
    const status = sum?.status ?? 'open';
    const back = el('button', { type: 'button', class: 'back', 'data-testid': 'back', 'aria-label': s.back }, '←');
    back.addEventListener('click', () => this.host.back());
    const title = el('h2', { 'data-testid': 'conv-title' }, this.visitorName());
    const badge = el('span', { class: `status st-${status}`, 'data-testid': 'conv-status', 'data-status': status }, s.statusNames[status] ?? status);
    const assignee = sum?.assignee;
    const who = el('span', { class: 'assignee', 'data-testid': 'conv-assignee', 'data-assignee': assignee ?? '' }, `${s.assignee}: ${assignee ? this.host.agentName(assignee) : s.unassigned}`);

    const actions = el('div', { class: 'actions' });
    if (assignee !== me.id) {
      const mine = el('button', { type: 'button', 'data-testid': 'assign-me' }, s.assignToMe);
      mine.addEventListener('click', () => void this.op({ k: 'assign', to: me.id }));
      actions.append(mine);
    }
    const sel = el('select', { 'data-testid': 'assign-select', 'aria-label': s.assignTo });
    sel.append(el('option', { value: '' }, s.assignTo));
    for (const a of this.host.agents()) {
      sel.append(el('option', { value: a.id, selected: a.id === assignee }, `${a.name}${a.id === me.id ? ` (${s.you})` : ''} · ${s.agentStatus[a.status] ?? a.status}`));
    }
    if (assignee) sel.append(el('option', { value: '-' }, s.unassigned));
    sel.value = assignee && [...sel.options].some((o) => o.value === assignee) ? assignee : '';
    sel.addEventListener('change', () => {
      const v = sel.value;
      if (v === '') return;
      void this.op({ k: 'assign', to: v === '-' ? null : v });
    });
    actions.append(sel);
    const toggle = el('button', { type: 'button', 'data-testid': status === 'closed' ? 'reopen' : 'close-conv' }, status === 'closed' ? s.reopen : s.close);
    toggle.addEventListener('click', () => void this.op({ k: 'status', status: status === 'closed' ? 'open' : 'closed' }));
    actions.append(toggle);
    // the email the visitor left (offline form) or the host signed: where follow-ups of unread replies go
    const email = sum?.email ? el('a', { class: 'email', 'data-testid': 'conv-email', href: `mailto:${sum.email}` }, sum.email) : '';
    // the visitor's rating of the close (rate op): the score and their comment, as text
    const rating = sum?.rating
      ? el('span', { class: 'rating', 'data-testid': 'conv-rating', 'data-score': String(sum.rating), 'aria-label': s.rating(sum.rating) }, `${'★'.repeat(sum.rating)}${'☆'.repeat(5 - sum.rating)}`, sum.ratingComment ? el('q', { 'data-testid': 'conv-rating-comment' }, sum.ratingComment) : '')
      : '';
    this.head.replaceChildren(back, el('div', { class: 'conv-title' }, title, badge, who, email, rating), actions);
  }

  private renderInfo(): void {
    const { s, lang } = this.host;
    const sum = this.host.summary(this.key);
    const v = this.host.visitor(this.key);
    const rows: Node[] = [];
    rows.push(el('h3', { 'data-testid': 'visitor-name' }, this.visitorName()));
    // presence comes through the connection: while it is down, the console cannot know (and says so)
    const known = this.host.client.state === 'open';
    rows.push(el('p', { class: `presence ${v ? 'on' : 'off'}`, 'data-testid': 'visitor-online', 'data-online': known ? String(!!v) : 'unknown' }, v ? s.online : known ? s.offlineVisitor : s.visitorUnknown));
    const dl = el('dl', { class: 'kv' });
    const add = (k: string, val: Node | string, testid?: string): void => {
      dl.append(el('dt', {}, k), el('dd', testid ? { 'data-testid': testid } : {}, val));
    };
    if (v?.page) add(s.page, pageLink(v.page), 'visitor-page');
    if (v?.since) add(s.onSite, s.minutes(Math.floor((Date.now() - v.since) / 60000)), 'visitor-since');
    if (v?.page?.ref) add(s.referrer, v.page.ref, 'visitor-ref');
    if (v && v.trail.length) {
      const ol = el('ol', { class: 'trail', 'data-testid': 'visitor-trail' });
      for (const p of v.trail) ol.append(el('li', {}, pageLink(p)));
      add(s.trail, ol);
    }
    for (const [k, val] of Object.entries(sum?.fields ?? {})) add(k, val, 'visitor-field');
    if (sum?.created) add(s.started, formatTime(sum.created, lang));
    rows.push(dl);
    this.info.replaceChildren(...rows);
  }

  // ---- messages ----

  private async op(op: { k: string } & Record<string, unknown>): Promise<void> {
    try {
      await this.msgs.submitOp(op);
    } catch (e) {
      this.host.error(errorCodeOf(e));
    }
  }

  private async loadOlder(): Promise<void> {
    if (this.loadingOlder || !this.msgs.hasOlder) return;
    this.loadingOlder = true;
    const h = this.list.scrollHeight;
    const top = this.list.scrollTop;
    try {
      await this.msgs.loadOlder(PAGE);
      // keep what the agent was looking at in place
      this.list.scrollTop = top + (this.list.scrollHeight - h);
    } catch {
      // offline: the next scroll tries again
    } finally {
      this.loadingOlder = false;
    }
  }

  private renderMessages(): void {
    const { s, me, lang } = this.host;
    const m = this.msgs;
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 60;
    const visitorRead = m.log.readUpTo({ role: 'visitor' });
    const items = m.items(me.id);
    const keep = new Set<string>();
    let prev: Element = this.olderRow;
    for (const it of items) {
      const key = it.id || `r${it.rev}`;
      keep.add(key);
      const li = this.items.get(key) ?? el('li', { 'data-testid': 'message' });
      this.renderMessage(li, it, it.own, it.rev > 0 && it.rev <= visitorRead, it.status === 'sending' ? s.sending : it.status === 'failed' ? s.failed : undefined, lang);
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
    this.olderBtn.hidden = !m.hasOlder;
    this.viewer.update(this.images());
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
    this.maybeMarkRead();
    // a short conversation page that does not fill the view: page in more at once
    if (m.hasOlder && this.list.scrollHeight <= this.list.clientHeight + 10) void this.loadOlder();
  }

  private renderMessage(li: HTMLLIElement, m: ChatMessage & { own: boolean }, own: boolean, read: boolean, pendingLabel: string | undefined, lang: string): void {
    const { s } = this.host;
    if (this.editing === m.rev && li.querySelector('.edit-input')) return; // keep the editor (and what was typed) as is
    if (m.role === 'sys') {
      // a handover (docs/bots.md): a line across the conversation, with the reason the bot or visitor gave, as text
      li.className = 'msg sys';
      li.setAttribute('data-rev', String(m.rev));
      li.setAttribute('data-role', 'sys');
      li.replaceChildren(el('div', { class: 'bubble', 'data-testid': 'handover-line' }, m.reason ? `${s.handedOver} · ${m.reason}` : s.handedOver, ' ', el('time', { datetime: new Date(m.ts).toISOString() }, formatTime(m.ts, lang))));
      return;
    }
    const side = m.role === 'visitor' ? 'visitor' : 'agent';
    li.className = `msg from-${side}${own ? ' own' : ''}${m.recalled ? ' recalled' : ''}`;
    li.setAttribute('data-rev', String(m.rev));
    li.setAttribute('data-id', m.id);
    li.setAttribute('data-role', m.role || 'agent');
    li.setAttribute('data-read', String(read));
    const name = el('div', { class: 'name' }, own ? s.you : m.name);
    // a file: the chip is kept across redraws (with its loaded thumbnail), like the widget's (ui/widget/render.ts)
    const old = li.querySelector<HTMLElement>('.file');
    let chip: HTMLElement | null = null;
    if (m.att) {
      chip = old?.dataset.att === m.att.id ? old : el('div', { class: 'file', 'data-att': m.att.id }, el('span', { class: 'fname' }, m.att.name));
      if (!chip.hasAttribute('data-filled')) {
        this.fillChip ??= chipFiller(this.fileLinks(), this.filesStrings(), '');
        this.fillChip(chip, m.att);
      }
    }
    const bubble = el('div', { class: 'bubble', 'data-testid': 'message-text' }, chip, m.recalled ? s.recalled : m.text);
    const meta = el('div', { class: 'meta' }, el('time', { datetime: new Date(m.ts).toISOString() }, formatTime(m.ts, lang)));
    if (m.edited && !m.recalled) meta.append(` · ${s.edited}`);
    if (pendingLabel) meta.append(' · ', el('span', { class: 'st', 'data-testid': 'message-status' }, pendingLabel));
    else if (side === 'agent' && m.rev > 0) meta.append(' · ', el('span', { class: `st ${read ? 'read' : 'sent'}`, 'data-testid': 'message-status', 'data-status': read ? 'read' : 'sent' }, read ? s.read : s.sent));
    const children: Node[] = [name, bubble, meta];
    const canChange = own && m.rev > 0 && !m.recalled && Date.now() - m.ts < EDIT_WINDOW_MS;
    if (this.editing === m.rev && canChange) {
      const ta = el('textarea', { class: 'edit-input', 'data-testid': 'edit-input', 'aria-label': s.edit, rows: '2' });
      ta.value = m.text;
      const save = el('button', { type: 'button', class: 'primary', 'data-testid': 'edit-save' }, s.save);
      const cancel = el('button', { type: 'button', 'data-testid': 'edit-cancel' }, s.cancel);
      save.addEventListener('click', () => {
        const text = ta.value.trim();
        this.editing = null;
        if (text && text !== m.text) void this.op({ k: 'edit', target: m.rev, text });
        this.renderMessages();
      });
      cancel.addEventListener('click', () => {
        this.editing = null;
        this.renderMessages();
      });
      ta.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') cancel.click();
        else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          save.click();
        }
      });
      children.splice(1, 1, ta, el('div', { class: 'edit-actions' }, save, cancel));
      queueMicrotask(() => ta.focus());
    } else if (canChange) {
      const edit = el('button', { type: 'button', class: 'link', 'data-testid': 'message-edit' }, s.edit);
      edit.addEventListener('click', () => {
        this.editing = m.rev;
        this.renderMessages();
      });
      const recall = el('button', { type: 'button', class: 'link', 'data-testid': 'message-recall' }, s.recall);
      recall.addEventListener('click', () => void this.op({ k: 'recall', target: m.rev }));
      meta.append(' ', edit, ' ', recall);
    }
    li.replaceChildren(...children);
  }

  /** Marks the visitor's messages read while this conversation is on screen. */
  private maybeMarkRead(): void {
    if (document.visibilityState !== 'visible' || !this.main.isConnected) return;
    const log = this.msgs.log;
    let lastVisitor = 0;
    for (let i = log.messages.length - 1; i >= 0; i--) {
      const m = log.messages[i];
      if (m?.role === 'visitor') {
        lastVisitor = m.rev;
        break;
      }
    }
    const read = Math.max(log.readUpTo({ role: 'agent' }), this.msgs.readUpTo(this.host.me.id), this.readMarked);
    if (lastVisitor === 0 || lastVisitor <= read) return;
    this.readMarked = log.rev;
    void this.msgs.markRead(log.rev);
  }
}

function pageLink(p: VisitorPage): HTMLElement {
  const safe = /^https?:\/\//i.test(p.url);
  const label = p.title || p.url;
  return safe
    ? el('a', { href: p.url, target: '_blank', rel: 'noopener noreferrer', title: p.url }, label)
    : el('span', { title: p.url }, label);
}
