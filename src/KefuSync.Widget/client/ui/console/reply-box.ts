// The reply box: the shared `draft:KEY` document in a textarea, with the other agents' cursors and selections
// drawn in a mirror layer behind it (same font and wrapping; the text there is transparent, only the markers show).
// Cursors come from presence on the draft channel and move through every op applied locally.
import type { TextOperation } from '../../ot/text-operation';
import type { KefuClient } from '../../sync/kefu-client';
import type { TextChannel } from '../../sync/text-channel';
import type { PresenceEntry } from '../../protocol/server-frames';
import { cursorsFromPresence, transformCursors, type RemoteCursor } from '../../console/cursors';
import { el } from '../widget/dom';
import { bindTextarea, type TextBinding } from './text-binding';
import type { ConsoleStrings } from './strings';

const COLORS = 6;

export function colorClass(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return `c${Math.abs(h) % COLORS}`;
}

export class ReplyBox {
  readonly element: HTMLDivElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly mirror: HTMLDivElement;
  private readonly chips: HTMLDivElement;
  private readonly binding: TextBinding;
  private cursors: RemoteCursor[] = [];
  private lastSent = '';
  private selTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly client: KefuClient,
    private readonly channel: TextChannel,
    private readonly s: ConsoleStrings,
    onLocal: () => void,
  ) {
    this.textarea = el('textarea', { class: 'reply-input', 'data-testid': 'reply-input', 'aria-label': s.reply, placeholder: s.replyPlaceholder, rows: '3', maxlength: '4000', spellcheck: 'true' });
    this.mirror = el('div', { class: 'reply-mirror', 'aria-hidden': 'true' });
    this.chips = el('div', { class: 'reply-cursors', 'data-testid': 'draft-cursors', 'aria-live': 'polite' });
    this.element = el('div', { class: 'reply-box' }, this.chips, el('div', { class: 'reply-layers' }, this.mirror, this.textarea));
    this.binding = bindTextarea(this.textarea, channel, {
      local: (op) => {
        this.move(op);
        this.publishSelection();
        onLocal();
      },
      remote: (op, id) => {
        if (op) this.move(op, id);
        else this.readPresence(channel.presenceList);
        this.publishSelection();
      },
    });
    this.offs.push(channel.on('presence', (list) => this.readPresence(list)));
    const sel = (): void => this.publishSelectionSoon();
    this.textarea.addEventListener('select', sel);
    this.textarea.addEventListener('keyup', sel);
    this.textarea.addEventListener('mouseup', sel);
    this.textarea.addEventListener('focus', sel);
    // a cursor is shown only while its agent is in the reply box
    this.textarea.addEventListener('blur', () => {
      clearTimeout(this.selTimer);
      this.lastSent = '';
      this.client.setPresence(this.channel.ch, null);
    });
    this.textarea.addEventListener('scroll', () => (this.mirror.scrollTop = this.textarea.scrollTop));
    this.readPresence(channel.presenceList);
  }

  get value(): string {
    return this.channel.doc;
  }

  set(value: string, caret?: number): void {
    this.binding.set(value, caret);
  }

  /** Other agents' cursors as shown (tests and the chips read them). */
  get remoteCursors(): readonly RemoteCursor[] {
    return this.cursors;
  }

  destroy(): void {
    clearTimeout(this.selTimer);
    this.binding.unbind();
    this.offs.forEach((f) => f());
    this.client.setPresence(this.channel.ch, null);
  }

  private readPresence(list: readonly PresenceEntry[]): void {
    const raw = cursorsFromPresence(list, this.client.tabId, Number.MAX_SAFE_INTEGER);
    // a published position is relative to the server's document: move it through our unconfirmed edits
    this.cursors = raw.map((k) => {
      const [a, b] = this.channel.transformRemote(Math.min(k.start, this.channel.doc.length), Math.min(k.end, this.channel.doc.length));
      return { ...k, start: Math.min(a, b), end: Math.max(a, b) };
    });
    this.render();
  }

  private move(op: TextOperation, author?: string): void {
    try {
      this.cursors = transformCursors(this.cursors, op, author);
    } catch {
      this.cursors = [];
    }
    this.render();
  }

  private publishSelectionSoon(): void {
    clearTimeout(this.selTimer);
    this.selTimer = setTimeout(() => this.publishSelection(), 50);
  }

  private publishSelection(): void {
    if (this.textarea.ownerDocument.activeElement !== this.textarea) return;
    const a = this.textarea.selectionStart;
    const b = this.textarea.selectionEnd;
    const key = `${a},${b}`;
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.client.setPresence(this.channel.ch, { cursor: [a, b] });
  }

  private render(): void {
    const doc = this.channel.doc;
    // An empty draft has nobody editing it: a presence that outlives the send (the sender's box keeps its focus) must
    // not say "Bob is editing the reply" over an empty box.
    const shown = doc ? this.cursors : [];
    const marks = [...shown].sort((x, y) => x.start - y.start);
    const parts: Node[] = [];
    let pos = 0;
    for (const k of marks) {
      const start = Math.max(pos, Math.min(k.start, doc.length));
      const end = Math.max(start, Math.min(k.end, doc.length));
      if (start > pos) parts.push(document.createTextNode(doc.slice(pos, start)));
      const color = colorClass(k.id);
      if (end > start) parts.push(el('mark', { class: `rsel ${color}` }, doc.slice(start, end)));
      parts.push(el('span', { class: `rcur ${color}`, 'data-name': k.name }));
      pos = end;
    }
    parts.push(document.createTextNode(doc.slice(pos) + '\n'));
    this.mirror.replaceChildren(...parts);
    this.mirror.scrollTop = this.textarea.scrollTop;
    this.chips.replaceChildren(
      ...shown.map((k) =>
        el('span', { class: `chip ${colorClass(k.id)}`, 'data-testid': 'draft-cursor', 'data-name': k.name, 'data-start': String(k.start), 'data-end': String(k.end) }, this.s.editingDraft(k.name)),
      ),
    );
  }
}
