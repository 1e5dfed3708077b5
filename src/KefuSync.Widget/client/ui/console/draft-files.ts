// The files of the reply draft: what every agent in the conversation sees attached (the co-edited `draft:KEY.files`
// document, console/files.ts), plus this tab's uploads still on their way (name, size, progress bar) and the ones the
// server refused (with the reason and the limit, and Retry for the retryable ones: same upload id, so a retry is
// never a second file). Files come from the attach button, a paste into the reply box, or a drop on the reply form.
import type { Attachment } from '../../protocol/attachment';
import type { KefuClient } from '../../sync/kefu-client';
import { TextChannel } from '../../sync/text-channel';
import { addFile, copyFile, draftFilesChannel, isImage, newUploadId, parseFiles, removeFile, uploadFile, type FileRefusal, type FileResult } from '../../console/files';
import type { FilesStrings } from '../../i18n/files';
import { humanSize } from '../files/file-chip';
import type { FileLinks } from '../files/file-links';
import { el, icon } from '../widget/dom';

const ICON_CLIP = 'M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z';
export const ICON_FILE = 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm2 16H8v-2h8zm0-4H8v-2h8zm-3-5V3.5L18.5 9z';
export const fileIcon = (): HTMLElement => el('span', { class: 'dicon', 'aria-hidden': 'true' }, icon(ICON_FILE, 20));
import type { ConsoleStrings } from './strings';

interface Local {
  key: string;
  name: string;
  size: number;
  progress: number;
  err?: FileRefusal;
  retry?: () => void;
}

export class DraftFiles {
  readonly element: HTMLDivElement;
  readonly input: HTMLInputElement;
  readonly button: HTMLButtonElement;
  readonly channel: TextChannel;
  private readonly local = new Map<string, Local>();
  private readonly thumbs = new Map<string, HTMLElement>();
  private readonly off: () => void;

  constructor(
    client: KefuClient,
    private readonly key: string,
    private readonly endpoint: string,
    private readonly s: ConsoleStrings,
    private readonly fs: FilesStrings,
    private readonly links: () => FileLinks,
    private readonly changed: (files: DraftFiles) => void = () => {},
  ) {
    this.channel = new TextChannel(client, draftFilesChannel(key));
    this.element = el('div', { class: 'draft-files', 'data-testid': 'draft-files', 'aria-live': 'polite', hidden: true });
    this.input = el('input', { type: 'file', multiple: true, class: 'file-input', 'data-testid': 'attach-input', tabindex: '-1', 'aria-hidden': 'true' });
    this.button = el('button', { type: 'button', class: 'attach', 'data-testid': 'attach', 'aria-label': s.attach, title: s.attach }, icon(ICON_CLIP, 20));
    this.button.addEventListener('click', () => this.input.click());
    this.input.addEventListener('change', () => {
      this.addFiles([...(this.input.files ?? [])]);
      this.input.value = '';
    });
    this.off = this.channel.on('change', () => this.render());
    this.render();
  }

  /** The files every agent sees attached, in order. */
  get files(): Attachment[] {
    return parseFiles(this.channel.doc);
  }

  /** Whether an upload of this tab is still on its way (the send waits for nothing: it sends what is attached). */
  get uploading(): boolean {
    return [...this.local.values()].some((l) => !l.err);
  }

  /** Clears the sent files (only those: a file another agent attached meanwhile stays for the next send). */
  clear(sent: readonly Attachment[]): void {
    let doc = this.channel.doc;
    for (const a of sent) doc = removeFile(doc, a.id);
    this.edit(doc);
  }

  /** A local edit of the shared document (the channel reports only remote ones: redraw here). */
  private edit(doc: string): void {
    this.channel.edit(doc);
    this.render();
  }

  addFiles(files: File[]): void {
    for (const f of files) this.upload(f, newUploadId());
  }

  /** A canned reply's file: copied into this conversation (a fresh upload id: each insertion is its own file). */
  addCopy(from: string, a: Attachment): void {
    const uploadId = newUploadId();
    const run = (): void => this.track(uploadId, a.name, a.size, (progress) => {
      progress(0.5);
      return copyFile(this.endpoint, this.key, uploadId, from, a.id);
    }, run);
    run();
  }

  destroy(): void {
    this.off();
    this.channel.close();
  }

  private upload(file: File, uploadId: string): void {
    const name = file.name || this.s.pastedImage;
    const run = (): void => this.track(uploadId, name, file.size, (progress) => uploadFile(this.endpoint, this.key, file, name, uploadId, progress), run);
    run();
  }

  private track(uploadId: string, name: string, size: number, go: (progress: (p: number) => void) => Promise<FileResult>, retry: () => void): void {
    const l: Local = { key: uploadId, name, size, progress: 0 };
    this.local.set(uploadId, l);
    this.render();
    void go((p) => {
      l.progress = p;
      this.renderProgress(l);
    }).then((r) => {
      if (r.ok) {
        this.local.delete(uploadId);
        this.edit(addFile(this.channel.doc, r.att));
      } else {
        l.err = r.err;
        if (r.err.retry) l.retry = retry;
      }
      this.render();
    });
  }

  private remove(id: string): void {
    this.edit(removeFile(this.channel.doc, id));
  }

  private render(): void {
    const files = this.files;
    const items: HTMLElement[] = [];
    const keep = new Set<string>();
    for (const a of files) {
      keep.add(a.id);
      const rm = el('button', { type: 'button', class: 'link', 'data-testid': 'draft-file-remove', 'aria-label': this.s.removeFile(a.name) }, '×');
      rm.addEventListener('click', () => this.remove(a.id));
      items.push(el('div', { class: 'dfile ready', 'data-testid': 'draft-file', 'data-att': a.id, 'data-state': 'ready' }, this.thumb(a), el('span', { class: 'dname' }, a.name), el('span', { class: 'dsize' }, humanSize(a.size, this.fs.units)), rm));
    }
    for (const id of this.thumbs.keys()) if (!keep.has(id)) this.thumbs.delete(id);
    for (const l of this.local.values()) {
      const parts: Node[] = [el('span', { class: 'dname' }, l.name), el('span', { class: 'dsize' }, humanSize(l.size, this.fs.units))];
      if (l.err) {
        parts.push(el('span', { class: 'derr', 'data-testid': 'draft-file-error', 'data-code': l.err.code, role: 'alert' }, this.s.fileError(l.err.code, l.err.limit, l.err.types)));
        if (l.retry) {
          const again = el('button', { type: 'button', class: 'link', 'data-testid': 'draft-file-retry' }, this.s.retry);
          const retry = l.retry;
          again.addEventListener('click', () => {
            this.local.delete(l.key);
            retry();
          });
          parts.push(again);
        }
        const dismiss = el('button', { type: 'button', class: 'link', 'data-testid': 'draft-file-dismiss', 'aria-label': this.s.removeFile(l.name) }, '×');
        dismiss.addEventListener('click', () => {
          this.local.delete(l.key);
          this.render();
        });
        parts.push(dismiss);
      } else {
        const bar = el('progress', { class: 'dprogress', 'data-testid': 'draft-file-progress', max: '100', value: String(Math.round(l.progress * 100)), 'aria-label': this.s.uploading(l.name) });
        parts.unshift(fileIcon());
        parts.push(bar);
      }
      items.push(el('div', { class: `dfile ${l.err ? 'failed' : 'uploading'}`, 'data-testid': 'draft-file', 'data-upload': l.key, 'data-state': l.err ? 'failed' : 'uploading' }, ...parts));
    }
    this.element.hidden = items.length === 0;
    this.element.replaceChildren(...items);
    this.changed(this);
  }

  private renderProgress(l: Local): void {
    const bar = this.element.querySelector<HTMLProgressElement>(`[data-upload="${CSS.escape(l.key)}"] progress`);
    if (bar) bar.value = Math.round(l.progress * 100);
  }

  /** A small thumbnail (signed link, kept across redraws) or a file icon. */
  private thumb(a: Attachment): HTMLElement {
    const had = this.thumbs.get(a.id);
    if (had) return had;
    let t: HTMLElement;
    if (isImage(a)) {
      const img = el('img', { class: 'dthumb', alt: '', 'data-testid': 'draft-file-thumb' });
      void this.links()
        .get(a.id)
        .then((l) => {
          if (l) img.src = l.thumb ?? l.url;
        });
      t = img;
    } else {
      t = fileIcon();
    }
    this.thumbs.set(a.id, t);
    return t;
  }
}
