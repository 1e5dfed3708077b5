// Canned replies: the index document `canned:_index` (one name a line) and one document per reply, all co-edited
// with OT (see console/canned.ts for the design). The store keeps every listed reply subscribed so that `/name`
// expands at once in the reply box.
import type { KefuClient } from '../../sync/kefu-client';
import { TextChannel } from '../../sync/text-channel';
import { CANNED_INDEX, addToIndex, isCannedName, parseCannedIndex, removeFromIndex } from '../../console/canned';
import { cannedChannel } from '../../protocol/channels';
import { Emitter } from '../../util/emitter';
import { el } from '../widget/dom';
import type { ConsoleStrings } from './strings';
import { bindTextarea, type TextBinding } from './text-binding';

const MAX_REPLIES = 64;

export class CannedStore extends Emitter<{ change(): void }> {
  readonly index: TextChannel;
  names: string[] = [];
  private readonly docs = new Map<string, TextChannel>();

  constructor(private readonly client: KefuClient) {
    super();
    this.index = new TextChannel(client, CANNED_INDEX);
    this.index.on('change', () => this.sync());
  }

  channel(name: string): TextChannel | undefined {
    return this.docs.get(name);
  }

  text(name: string): string | undefined {
    const d = this.docs.get(name)?.doc;
    return d ? d : undefined;
  }

  add(name: string): boolean {
    if (!isCannedName(name)) return false;
    this.index.edit(addToIndex(this.index.doc, name));
    this.sync();
    return true;
  }

  remove(name: string): void {
    this.index.edit(removeFromIndex(this.index.doc, name));
    this.sync();
  }

  private sync(): void {
    this.names = parseCannedIndex(this.index.doc).slice(0, MAX_REPLIES);
    const want = new Set(this.names);
    for (const [n, ch] of this.docs) {
      if (!want.has(n)) {
        ch.close();
        this.docs.delete(n);
      }
    }
    for (const n of this.names) {
      if (this.docs.has(n)) continue;
      const ch = new TextChannel(this.client, cannedChannel(n));
      ch.on('change', () => this.emit('change'));
      this.docs.set(n, ch);
    }
    this.emit('change');
  }
}

export class CannedView {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly editor: HTMLDivElement;
  private selected: string | null = null;
  private binding: TextBinding | null = null;

  constructor(
    private readonly store: CannedStore,
    private readonly s: ConsoleStrings,
  ) {
    const name = el('input', { type: 'text', 'data-testid': 'canned-name', 'aria-label': s.cannedName, placeholder: s.cannedName, maxlength: '64', pattern: '[A-Za-z0-9_.\\-]+' });
    const add = el('button', { type: 'submit', 'data-testid': 'canned-add' }, s.cannedAdd);
    const form = el('form', { class: 'canned-add' }, name, add);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const n = name.value.trim();
      if (store.add(n)) {
        name.value = '';
        this.select(n);
      }
    });
    this.list = el('ul', { class: 'canned-list', 'data-testid': 'canned-list' });
    this.editor = el('div', { class: 'canned-editor' });
    this.element = el('div', { class: 'canned', 'data-testid': 'canned' }, el('p', { class: 'help' }, s.cannedHelp), form, this.list, this.editor);
    store.on('change', () => this.render());
    this.render();
  }

  select(name: string | null): void {
    this.selected = name;
    this.binding?.unbind();
    this.binding = null;
    this.editor.replaceChildren();
    const ch = name ? this.store.channel(name) : undefined;
    if (name && ch) {
      const ta = el('textarea', { 'data-testid': 'canned-text', 'aria-label': this.s.cannedText(name), rows: '5' });
      this.binding = bindTextarea(ta, ch);
      const del = el('button', { type: 'button', class: 'danger', 'data-testid': 'canned-delete' }, this.s.cannedDelete);
      del.addEventListener('click', () => {
        this.store.remove(name);
        this.select(null);
      });
      this.editor.append(el('label', {}, this.s.cannedText(name)), ta, del);
    }
    this.render();
  }

  private render(): void {
    if (this.selected && !this.store.names.includes(this.selected)) {
      this.selected = null;
      this.binding?.unbind();
      this.binding = null;
      this.editor.replaceChildren();
    }
    this.list.replaceChildren(
      ...(this.store.names.length
        ? this.store.names.map((n) => {
            const b = el('button', { type: 'button', class: 'canned-item', 'data-testid': 'canned-item', 'data-name': n, 'aria-pressed': String(n === this.selected) }, '/' + n, el('span', { class: 'snippet' }, (this.store.text(n) ?? '').slice(0, 60)));
            b.addEventListener('click', () => this.select(n));
            return el('li', {}, b);
          })
        : [el('li', { class: 'empty' }, this.s.cannedEmpty)]),
    );
  }
}
