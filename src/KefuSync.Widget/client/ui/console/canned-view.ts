// Canned replies: the index document `canned:_index` (one name a line) and one document per reply, all co-edited
// with OT (see console/canned.ts for the design). The store keeps every listed reply subscribed so that `/name`
// expands at once in the reply box.
import type { KefuClient } from '../../sync/kefu-client';
import { TextChannel } from '../../sync/text-channel';
import { CANNED_INDEX, addToIndex, isCannedName, parseCannedIndex, removeFromIndex } from '../../console/canned';
import { cannedChannel } from '../../protocol/channels';
import { Emitter } from '../../util/emitter';
import type { Attachment } from '../../protocol/attachment';
import { CANNED_SCOPE, cannedFile, newUploadId, setCannedFile, uploadFile, type FileRefusal } from '../../console/files';
import type { FilesStrings } from '../../i18n/files';
import { humanSize } from '../files/file-chip';
import { el } from '../widget/dom';
import { fileIcon } from './draft-files';
import type { ConsoleStrings } from './strings';
import { bindTextarea, type TextBinding } from './text-binding';

const MAX_REPLIES = 64;

export class CannedStore extends Emitter<{ change(): void }> {
  readonly index: TextChannel;
  /** `canned:_files`: each reply's file, a line `NAME<TAB>META` (console/files.ts) */
  readonly files: TextChannel;
  names: string[] = [];
  private readonly docs = new Map<string, TextChannel>();

  constructor(private readonly client: KefuClient) {
    super();
    this.index = new TextChannel(client, CANNED_INDEX);
    this.index.on('change', () => this.sync());
    this.files = new TextChannel(client, cannedChannel('_files'));
    this.files.on('change', () => this.emit('change'));
  }

  /** The file of reply `name`, if it carries one. */
  file(name: string): Attachment | undefined {
    return cannedFile(this.files.doc, name);
  }

  setFile(name: string, a: Attachment | null): void {
    this.files.edit(setCannedFile(this.files.doc, name, a));
    this.emit('change'); // a local edit: the channel reports only remote ones
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
    if (this.file(name)) this.setFile(name, null);
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
  private readonly fileBox: HTMLDivElement;
  /** this tab's upload of the selected reply's file: progress, or the refusal */
  private pending: { name: string; progress: number; err?: FileRefusal } | null = null;

  constructor(
    private readonly store: CannedStore,
    private readonly s: ConsoleStrings,
    private readonly endpoint: string,
    private readonly fs: FilesStrings,
  ) {
    this.fileBox = el('div', { class: 'canned-file', 'data-testid': 'canned-file' });
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
      const input = el('input', { type: 'file', class: 'file-input', 'data-testid': 'canned-attach-input', tabindex: '-1', 'aria-hidden': 'true' });
      const attach = el('button', { type: 'button', 'data-testid': 'canned-attach' }, this.s.cannedAttach);
      attach.addEventListener('click', () => input.click());
      input.addEventListener('change', () => {
        const f = input.files?.[0];
        input.value = '';
        if (f) this.upload(name, f);
      });
      this.pending = null;
      this.editor.append(el('label', {}, this.s.cannedText(name)), ta, this.fileBox, el('div', { class: 'canned-actions' }, attach, input, del));
    }
    this.render();
  }

  /** Uploads the reply's file into `_canned` (agents only); it replaces the reply's earlier file. */
  private upload(name: string, file: File): void {
    const p: { name: string; progress: number; err?: FileRefusal } = { name: file.name, progress: 0 };
    this.pending = p;
    this.renderFile();
    void uploadFile(this.endpoint, CANNED_SCOPE, file, file.name || name, newUploadId(), (x) => {
      p.progress = x;
      this.renderFile();
    }).then((r) => {
      if (this.pending !== p) return;
      if (r.ok) {
        this.pending = null;
        this.store.setFile(name, r.att);
      } else p.err = r.err;
      this.renderFile();
    });
  }

  private renderFile(): void {
    const name = this.selected;
    const a = name ? this.store.file(name) : undefined;
    const parts: Node[] = [];
    if (a && name) {
      const rm = el('button', { type: 'button', class: 'link', 'data-testid': 'canned-file-remove', 'aria-label': this.s.removeFile(a.name) }, '×');
      rm.addEventListener('click', () => this.store.setFile(name, null));
      parts.push(el('div', { class: 'dfile ready', 'data-testid': 'canned-file-item', 'data-att': a.id }, fileIcon(), el('span', { class: 'dname' }, a.name), el('span', { class: 'dsize' }, humanSize(a.size, this.fs.units)), rm));
    }
    const p = this.pending;
    if (p) {
      parts.push(
        el('div', { class: `dfile ${p.err ? 'failed' : 'uploading'}`, 'data-testid': 'canned-file-pending' }, fileIcon(), el('span', { class: 'dname' }, p.name),
          p.err
            ? el('span', { class: 'derr', role: 'alert', 'data-testid': 'canned-file-error', 'data-code': p.err.code }, this.s.fileError(p.err.code, p.err.limit, p.err.types))
            : el('progress', { class: 'dprogress', max: '100', value: String(Math.round(p.progress * 100)), 'aria-label': this.s.uploading(p.name) })),
      );
    }
    this.fileBox.hidden = parts.length === 0;
    this.fileBox.replaceChildren(...parts);
  }

  private render(): void {
    this.renderFile();
    if (this.selected && !this.store.names.includes(this.selected)) {
      this.selected = null;
      this.binding?.unbind();
      this.binding = null;
      this.editor.replaceChildren();
    }
    this.list.replaceChildren(
      ...(this.store.names.length
        ? this.store.names.map((n) => {
            const f = this.store.file(n);
            const b = el('button', { type: 'button', class: 'canned-item', 'data-testid': 'canned-item', 'data-name': n, 'aria-pressed': String(n === this.selected) }, '/' + n, el('span', { class: 'snippet' }, (this.store.text(n) ?? '').slice(0, 60)), f ? el('span', { class: 'cfile', 'data-testid': 'canned-item-file' }, fileIcon(), f.name) : '');
            b.addEventListener('click', () => this.select(n));
            return el('li', {}, b);
          })
        : [el('li', { class: 'empty' }, this.s.cannedEmpty)]),
    );
  }
}
