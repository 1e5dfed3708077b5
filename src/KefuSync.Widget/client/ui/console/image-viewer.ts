// The image viewer: a conversation's image opened large over the console. A modal <dialog> (the rest of the page is
// inert while it is open), with focus kept inside by hand as well (Tab from the last control goes to the first), Escape
// and the close button close it and give focus back to the thumbnail that opened it, and the arrow keys step through
// the conversation's images. The image is the signed URL of the file itself (§9.5: served as the image type with
// `nosniff` and a sandboxing CSP; an <img> never runs anything). No inline style: sizes come from console.css, so the
// console's strict CSP (style-src 'self') holds.
import type { Attachment } from '../../protocol/attachment';
import type { FileLinks } from '../files/file-links';
import { el } from '../widget/dom';
import type { ConsoleStrings } from './strings';

export class ImageViewer {
  readonly element: HTMLDialogElement;
  private readonly img: HTMLImageElement;
  private readonly caption: HTMLElement;
  private readonly counter: HTMLElement;
  private readonly download: HTMLAnchorElement;
  private readonly prevBtn: HTMLButtonElement;
  private readonly nextBtn: HTMLButtonElement;
  private images: Attachment[] = [];
  private index = 0;
  private opener: HTMLElement | null = null;
  /** bumps on every step: a link that arrives after the agent stepped on is dropped */
  private shown = 0;

  constructor(
    private readonly s: ConsoleStrings,
    private readonly links: () => FileLinks,
    private readonly parent: HTMLElement,
  ) {
    this.img = el('img', { class: 'iv-img', 'data-testid': 'viewer-image', alt: '' });
    this.caption = el('span', { class: 'iv-name', 'data-testid': 'viewer-name' });
    this.counter = el('span', { class: 'iv-count', 'data-testid': 'viewer-count' });
    this.download = el('a', { class: 'iv-dl', 'data-testid': 'viewer-download', rel: 'noopener noreferrer' }, s.download);
    this.prevBtn = el('button', { type: 'button', class: 'iv-prev', 'data-testid': 'viewer-prev', 'aria-label': s.previousImage }, '‹');
    this.nextBtn = el('button', { type: 'button', class: 'iv-next', 'data-testid': 'viewer-next', 'aria-label': s.nextImage }, '›');
    const close = el('button', { type: 'button', class: 'iv-close', 'data-testid': 'viewer-close', 'aria-label': s.closeViewer }, '×');
    this.prevBtn.addEventListener('click', () => this.step(-1));
    this.nextBtn.addEventListener('click', () => this.step(1));
    close.addEventListener('click', () => this.close());
    this.element = el(
      'dialog',
      { class: 'imgview', 'data-testid': 'image-viewer', 'aria-label': s.imageViewer },
      el('div', { class: 'iv-bar' }, this.caption, this.counter, this.download, close),
      el('div', { class: 'iv-stage' }, this.prevBtn, el('figure', {}, this.img), this.nextBtn),
    );
    // Escape: the dialog's own cancel (also the browser's), turned into our close so focus goes back
    this.element.addEventListener('cancel', (e) => {
      e.preventDefault();
      this.close();
    });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    // a click on the backdrop (the dialog box itself, outside its content) closes it, as in every photo viewer
    this.element.addEventListener('click', (e) => {
      if (e.target === this.element) this.close();
    });
  }

  get isOpen(): boolean {
    return this.element.open;
  }

  /** Opens `images[index]`; `opener` gets focus back on close. */
  open(images: Attachment[], index: number, opener: HTMLElement | null): void {
    if (!images.length) return;
    this.images = images;
    this.opener = opener;
    if (!this.element.isConnected) this.parent.append(this.element);
    if (!this.element.open) this.element.showModal();
    this.show(Math.max(0, Math.min(images.length - 1, index)));
    this.element.querySelector<HTMLElement>('.iv-close')?.focus();
  }

  /** The conversation's images changed (a new one, a recall) while open: keep the one shown when it is still there. */
  update(images: Attachment[]): void {
    if (!this.isOpen) return;
    const current = this.images[this.index]?.id;
    this.images = images;
    if (!images.length) {
      this.close();
      return;
    }
    const i = images.findIndex((a) => a.id === current);
    this.show(i < 0 ? Math.min(this.index, images.length - 1) : i);
  }

  close(): void {
    if (!this.element.open) return;
    this.element.close();
    this.shown++;
    this.img.removeAttribute('src');
    const back = this.opener;
    this.opener = null;
    if (back?.isConnected) back.focus();
  }

  destroy(): void {
    this.close();
    this.element.remove();
  }

  private step(d: number): void {
    const n = this.images.length;
    if (n < 2) return;
    this.show((this.index + d + n) % n);
  }

  private show(i: number): void {
    const a = this.images[i];
    if (!a) return;
    this.index = i;
    const ticket = ++this.shown;
    const n = this.images.length;
    this.caption.textContent = a.name;
    this.counter.textContent = this.s.imageOf(i + 1, n);
    this.element.setAttribute('data-att', a.id);
    this.prevBtn.hidden = this.nextBtn.hidden = n < 2;
    this.img.alt = a.name;
    if (a.w && a.h) {
      this.img.width = a.w;
      this.img.height = a.h;
    } else {
      this.img.removeAttribute('width');
      this.img.removeAttribute('height');
    }
    this.img.removeAttribute('src');
    this.download.removeAttribute('href');
    void this.links()
      .get(a.id)
      .then((l) => {
        if (!l || ticket !== this.shown) return;
        this.img.src = l.url;
        // the same signed URL with ?dl=1: served as an attachment (§9.1), so the browser saves it under its name
        const dl = new URL(l.url);
        dl.searchParams.set('dl', '1');
        this.download.href = dl.href;
        this.download.setAttribute('download', a.name);
      });
  }

  private onKey(e: KeyboardEvent): void {
    // every key stays with the viewer: the console's own Escape (close the conversation) must not see it
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') {
      e.preventDefault();
      this.step(1);
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') {
      e.preventDefault();
      this.step(-1);
    } else if (e.key === 'Tab') {
      const f = [...this.element.querySelectorAll<HTMLElement>('button:not([hidden]), a[href]')];
      const first = f[0];
      const last = f[f.length - 1];
      if (!first || !last) return;
      const active = document.activeElement;
      if (e.shiftKey && (active === first || !this.element.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !this.element.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    }
  }
}
