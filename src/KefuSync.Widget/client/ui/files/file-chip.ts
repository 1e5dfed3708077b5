// Fills a file chip (the placeholder a message list drew with the file's name) with what needs the server: the size,
// a thumbnail for images, and the link that opens or downloads the file. Shared by the widget (through kefu-files.js,
// loaded only when a conversation shows a file) and the console. Names are text nodes, never HTML; URLs come only from
// the server's `links` answer, checked to be http(s) (file-links.ts).
import type { Attachment } from '../../protocol/attachment';
import type { FilesStrings } from '../../i18n/files';
import { el } from '../widget/dom';
import type { FileLink, FileLinks } from './file-links';

/** The types the server decodes and re-encodes, and makes a thumbnail of (§9.2); only these are shown inline. */
const IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** the box a thumbnail is drawn in (the server's thumbnails fit 320 × 320) */
const BOX = 200;
const MARGIN_MS = 60_000;

export function humanSize(bytes: number, units: readonly string[]): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const n = i === 0 ? String(v) : v < 10 ? v.toFixed(1) : String(Math.round(v));
  return `${n} ${units[i] ?? 'B'}`;
}

/** width × height of an image of w × h drawn to fit the box, for the <img> attributes (no layout jump on load) */
export function fitBox(w: number | undefined, h: number | undefined): [number, number] | undefined {
  if (!w || !h) return undefined;
  const k = Math.min(1, BOX / w, BOX / h);
  return [Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k))];
}

export type ChipFiller = (chip: HTMLElement, att: Attachment) => void;

/** `tid` prefixes the test ids: `kefu-` in the widget, nothing in the console (each keeps its own convention). */
export function chipFiller(links: FileLinks, s: FilesStrings, tid: string, now: () => number = Date.now): ChipFiller {
  return (chip, att) => {
    chip.setAttribute('data-filled', '');
    chip.setAttribute('data-testid', `${tid}file`);
    const image = IMAGES.has(att.type) && att.thumb !== false;
    chip.classList.toggle('image', image);
    const size = el('span', { class: 'fsize', 'data-testid': `${tid}file-size` }, humanSize(att.size, s.units));
    const name = chip.querySelector('.fname');
    const row = el('span', { class: 'frow' });
    if (name) row.append(name);
    row.append(size);
    chip.replaceChildren(row);
    void links.get(att.id).then((l) => {
      if (!l) {
        chip.classList.add('gone');
        row.append(el('span', { class: 'fnote' }, s.unavailable));
        return;
      }
      const open = el('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer', 'data-testid': `${tid}file-link` });
      keepFresh(open, l.exp, att.id, links, now);
      if (image) {
        const fit = fitBox(att.w, att.h);
        const img = el('img', {
          src: l.thumb ?? l.url, alt: att.name, class: 'thumb', 'data-testid': `${tid}file-thumb`, decoding: 'async',
          ...(fit ? { width: String(fit[0]), height: String(fit[1]) } : {}),
        });
        open.setAttribute('aria-label', s.open(att.name));
        open.append(img);
        chip.prepend(open);
      } else {
        open.setAttribute('download', att.name);
        open.className = 'fdl';
        open.append(s.download);
        row.append(open);
      }
    });
  };

  /** A link clicked after its URL expired asks for a fresh one first (§9.5: clients ask again near `exp`). */
  function keepFresh(a: HTMLAnchorElement, first: number, id: string, fl: FileLinks, clock: () => number): void {
    let exp = first;
    a.addEventListener('click', (e) => {
      if (exp - MARGIN_MS > clock()) return;
      e.preventDefault();
      void fl.get(id).then((l: FileLink | undefined) => {
        if (!l) return;
        exp = l.exp;
        a.href = l.url;
        a.click();
      });
    });
  }
}
