// Sending files from the visitor widget (kefu-upload.js, issue 14 items 1 and 2; docs/protocol.md §9.6):
// - chosen, pasted or dropped files are checked (file-check.ts) and wait in a tray above the box, with a preview, until
//   Send; a file that would certainly be refused says why there, with the limit, and never goes up;
// - Send puts each into the outbox (KefuClient.submit with the file): its Blob, a fresh upload id and the `msg` op's client op
//   id, in order with the text messages around it;
// - the leading tab's drain uploads it (`upload`, below) and then submits the op; a progress bar shows while it goes
//   up. A refusal that will not pass is shown in the log like a failed message (why, with the limit; Retry when it
//   may pass; Discard). No answer (offline, a dropped connection) is tried again, as long as the drain is current.
import type { FileEntry, OutboxRecord } from '../../sync/outbox';
import { retryDelay } from '../../sync/outbox';
import { ErrorCode } from '../../protocol/error-codes';
import { hostKey, tokenKey } from '../../transport/connection';
import { uploadStrings, type UploadStrings } from '../../i18n/upload';
import { randomId } from '../../util/emitter';
import { humanSize } from '../files/file-chip';
import { el, icon, ICON_CLOSE } from '../widget/dom';
import type { Uploads } from '../widget/upload-slot';
import type { WidgetConfig } from '../widget/widget';
import type { KefuClient } from '../../sync/kefu-client';
import type { MessageChannel } from '../../sync/message-channel';
import { fileLimits, precheck, typeLabel, type FileLimits } from './file-check';
import { uploadFile, type UploadRequest, type UploadResult } from './upload-request';

/** Shown from the Blob itself before the server has it: the types the server shows as images (§9.2). */
const IMAGE = /^image\/(png|jpeg|gif|webp)$/;
/** A refusal that may pass later (`rate_limited`, `store_unavailable`) is tried this many times before it shows failed. */
const MAX_TRIES = 6;

/** Why a file is refused, in words, with the limit the visitor can act on. */
export function reason(s: UploadStrings, code: string | undefined, l: FileLimits): string {
  const why = s.why[code ?? ''] ?? s.refused;
  // a limit is a round number: 10 MB, not 10.0 MB
  if (code === ErrorCode.TooLarge && l.maxFile) return `${why} (${s.upTo(humanSize(l.maxFile, s.units).replace('.0 ', ' '))})`;
  if (code === 'type_not_allowed' && l.fileTypes?.length) return `${why} (${[...new Set(l.fileTypes.map(typeLabel))].join(', ')})`;
  if (code === 'image_too_large' && l.maxPixels) return `${why} (${s.upTo(s.megapixels(Math.round(l.maxPixels / 1e6)))})`;
  return why;
}

export interface UploadsTestSeams {
  send?: (o: UploadRequest) => Promise<UploadResult>;
  wait?: (ms: number) => Promise<void>;
}

export function createUploads(cfg: WidgetConfig, client: KefuClient, msgs: () => MessageChannel | null, panel: HTMLElement, seams: UploadsTestSeams = {}): Uploads {
  const s = uploadStrings(cfg.lang);
  const limits = (): FileLimits => fileLimits(client.welcome?.limits);
  const send = seams.send ?? ((o: UploadRequest) => uploadFile(o));
  const wait = seams.wait ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  panel.setAttribute('data-drop', s.drop);
  const tray = el('ul', { class: 'tray', 'data-testid': 'kefu-tray', hidden: true });
  panel.querySelector('form.compose')?.before(tray);
  let chosen: Array<{ f: File; li: HTMLLIElement; url?: string | undefined }> = [];
  /** uploads under way or done in this tab, by record id: a second drain waits for the same one, a later one reuses it */
  const running = new Map<string, Promise<OutboxRecord | null>>();
  /** progress of this tab's uploads (0–1), by record id */
  const progress = new Map<string, number>();
  /** object URLs of the previews in the log, by record id (revoked once the record leaves the outbox) */
  const previews = new Map<string, string>();
  let list: HTMLElement | undefined;

  // the visitor token that `hello` sent (§9.1: the same one authorises the visitor's HTTP requests), as kefu-files.js
  const token = (): string | undefined => {
    let stored: string | null;
    try {
      // as Connection.hello: the browser's sign-in (protocol §2.5), else the anonymous visitor
      stored = localStorage.getItem(hostKey(cfg.endpoint)) ?? localStorage.getItem(tokenKey(cfg.endpoint));
    } catch {
      stored = null;
    }
    return cfg.token || stored || client.welcome?.token;
  };

  const preview = (blob: Blob, type: string, name: string): [HTMLElement | null, string | undefined] => {
    if (!IMAGE.test(type)) return [null, undefined];
    const url = URL.createObjectURL(blob);
    const img = el('img', { class: 'thumb', src: url, alt: name, 'data-testid': 'kefu-preview' });
    // a CSP without `img-src blob:` refuses it: the name and size say what the file is
    img.addEventListener('error', () => img.remove());
    return [img, url];
  };

  const renderTray = (): void => {
    tray.hidden = tray.childElementCount === 0;
  };

  const setProgress = (id: string, v: number): void => {
    progress.set(id, v);
    const bar = list?.querySelector<HTMLProgressElement>(`progress[data-id="${id}"]`);
    if (bar) bar.value = v;
  };

  const refresh = async (): Promise<void> => {
    await msgs()?.outboxChanged();
    client.outboxChanged();
  };

  const attempt = async (r: OutboxRecord & { up: FileEntry }, current: () => boolean): Promise<OutboxRecord | null> => {
    const url = `${cfg.endpoint}/files/${encodeURIComponent(r.ch.slice(5))}?id=${encodeURIComponent(r.up.u)}&name=${encodeURIComponent(r.up.n.slice(0, 1000) || 'file')}`;
    for (let n = 0, k = 0; ; ) {
      setProgress(r.id, 0);
      const res = await send({ url, token: token(), body: r.up.b, progress: (v) => setProgress(r.id, v) });
      if (res.ok) {
        const done: OutboxRecord = { ...r, op: { k: 'msg', att: { id: res.id } } };
        await client.outbox.put(done);
        return done;
      }
      if (!current()) return null;
      // no answer at all is the network: tried again as long as this drain is current; a refusal that may pass
      // (429 after its Retry-After, 503 with backoff) a few times; anything else is shown failed
      const given = res.code && (!res.retry || ++n >= MAX_TRIES);
      if (given) {
        progress.delete(r.id);
        await client.outbox.fail(r.id, res.code, res.retry);
        await refresh();
        return null;
      }
      await wait(res.after ?? retryDelay(Math.min(res.code ? n : k++, 4)));
      if (!current()) return null;
    }
  };

  const fillFailed = (li: HTMLElement, r: OutboxRecord): void => {
    const meta = li.querySelector('.meta');
    if (!meta || meta.querySelector('.why')) return;
    meta.append(': ', el('span', { class: 'why', 'data-testid': 'kefu-fail-reason', 'data-code': r.err ?? '' }, reason(s, r.err, limits())));
    for (const a of r.re ? (['retry', 'discard'] as const) : (['discard'] as const)) {
      const b = el('button', { type: 'button', class: `act ${a}`, 'data-testid': `kefu-${a}` }, s[a]);
      b.addEventListener('click', () => void msgs()?.[a](r.id));
      meta.append(' ', b);
    }
  };

  const add = (files: File[]): void => {
      const l = limits();
      for (const f of files) {
        const code = precheck(f, l);
        const [img, url] = code ? [null, undefined] : preview(f, f.type, f.name);
        const li = el('li', { class: code ? 'refused' : '', 'data-testid': 'kefu-tray-item', ...(code ? { 'data-code': code } : {}) });
        const item = { f, li, url };
        const rm = el('button', { type: 'button', class: 'rm', 'data-testid': 'kefu-tray-remove', 'aria-label': s.remove(f.name), title: s.remove(f.name) }, icon(ICON_CLOSE, 16));
        rm.addEventListener('click', () => {
          chosen = chosen.filter((c) => c !== item);
          if (url) URL.revokeObjectURL(url);
          li.remove();
          renderTray();
        });
        li.append(
          img ?? '',
          el('span', { class: 'tname' }, f.name),
          el('span', { class: 'tsize' }, humanSize(f.size, s.units)),
          code ? el('span', { class: 'terr', role: 'alert', 'data-testid': 'kefu-tray-error' }, reason(s, code, l)) : '',
          rm,
        );
        tray.append(li);
        if (!code) chosen.push(item);
      }
      renderTray();
  };

  return {
    take(type, files) {
      panel.classList.toggle('drop', type === 'dragenter' || type === 'dragover');
      if (type === 'change' || type === 'paste' || type === 'drop') add(files);
    },

    async send() {
      const m = msgs();
      if (!m) return;
      const go = chosen;
      chosen = [];
      tray.replaceChildren();
      renderTray();
      for (const { f, url } of go) {
        if (url) URL.revokeObjectURL(url);
        // a pasted image has a generic name (image.png); the server cleans names anyway (§9.1)
        await client.submit(m.ch, { k: 'msg' }, m.rev, undefined, undefined, { u: randomId(22), b: f, n: f.name || 'image.png', s: f.size, t: f.type });
      }
      if (go.length) await m.outboxChanged();
    },

    upload(r, current) {
      if (!r.up) return Promise.resolve(r);
      const up = r.up;
      let p = running.get(r.id);
      if (!p) {
        // kept once it has the att (the record leaves the outbox when its op is confirmed); dropped when it did not
        // get one, so the next drain tries again
        p = attempt({ ...r, up }, current).then((done) => {
          if (!done) running.delete(r.id);
          return done;
        });
        running.set(r.id, p);
      }
      return p;
    },

    fill(l) {
      list = l;
      const pending = msgs()?.pending ?? [];
      for (const li of l.querySelectorAll<HTMLElement>('li[data-rev="0"]')) {
        const id = li.getAttribute('data-id') ?? '';
        const r = pending.find((x) => x.id === id);
        const chip = li.querySelector<HTMLElement>('.file');
        if (!r?.up || !chip) continue;
        if (!chip.hasAttribute('data-up')) {
          chip.setAttribute('data-up', '');
          chip.setAttribute('data-testid', 'kefu-upload');
          const url = previews.get(id);
          const [img, made] = url ? [el('img', { class: 'thumb', src: url, alt: r.up.n, 'data-testid': 'kefu-preview' }), url] : preview(r.up.b, r.up.t, r.up.n);
          if (made) previews.set(id, made);
          // the preview has no size until it loads: a list that was at its end stays there
          img?.addEventListener('load', () => {
            if (l.scrollHeight - l.scrollTop - l.clientHeight < 260) l.scrollTop = l.scrollHeight;
          });
          chip.replaceChildren(img ?? '', el('span', { class: 'frow' }, el('span', { class: 'fname' }, r.up.n), el('span', { class: 'fsize' }, humanSize(r.up.s, s.units))));
        }
        const bar = chip.querySelector('progress');
        if (r.err === undefined && r.op && !(r.op as { att?: unknown }).att && !bar) {
          chip.append(el('progress', { max: '1', value: String(progress.get(id) ?? 0), 'data-id': id, 'data-testid': 'kefu-upload-progress' }));
        } else if ((r.err !== undefined || (r.op as { att?: unknown }).att) && bar) {
          bar.remove();
        }
        if (r.err !== undefined) fillFailed(li, r);
      }
      for (const [id, url] of previews) {
        if (!pending.some((x) => x.id === id)) {
          URL.revokeObjectURL(url);
          previews.delete(id);
        }
      }
    },
  };
}
