// @vitest-environment happy-dom
// Sending files from the widget (kefu-upload.js): the checks before uploading with the limit stated, the tray, the
// outbox entries in the order chosen, the upload's retries and refusals, and the pending items in the log.
import { describe, expect, it } from 'vitest';
import { KefuClient } from '../../sync/kefu-client';
import { MessageChannel } from '../../sync/message-channel';
import { MemoryOutboxStore, type OutboxRecord } from '../../sync/outbox';
import { flush } from '../../test/fakes';
import { must } from '../../test/must';
import { uploadEn, uploadZhCN } from '../../i18n/upload';
import { renderMessage } from '../widget/render';
import { en } from '../../i18n';
import type { WidgetConfig } from '../widget/widget';
import { fileLimits, guessType, precheck } from './file-check';
import { readAnswer, type UploadRequest, type UploadResult } from './upload-request';
import { createUploads, reason } from './uploads';

const MB = 1024 * 1024;
const limits = { maxText: 4000, maxFile: 10 * MB, maxPixels: 40_000_000, fileTypes: ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'] };

function setup(answers: UploadResult[] = [], lang: 'en' | 'zh-CN' = 'en') {
  const store = new MemoryOutboxStore();
  const client = new KefuClient({ endpoint: '/kefu', version: '1', tabId: 'tA', outboxStore: store, locks: null, storage: null });
  client.welcome = { t: 'welcome', v: 1, server: '1', conn: 'k', me: { id: 'v1', name: 'V', role: 'visitor' }, conv: 'c1', hb: 1, ttl: 1, limits, token: 'TOKEN' } as never;
  const ch = new MessageChannel(client, 'conv:c1');
  const panel = document.createElement('section');
  const form = document.createElement('form');
  form.className = 'compose';
  panel.append(form);
  const requests: UploadRequest[] = [];
  const waits: number[] = [];
  const cfg: WidgetConfig = { endpoint: '/kefu', lang, position: 'right', mode: 'widget' };
  const up = createUploads(cfg, client, () => ch, panel, {
    send: (o) => {
      requests.push(o);
      o.progress?.(0.5);
      return Promise.resolve(answers.shift() ?? { ok: true, id: 'ATT1' });
    },
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { store, client, ch, panel, up, requests, waits };
}

const png = (name = 'shot.png', size = 1000) => new File([new Uint8Array(size)], name, { type: 'image/png' });

describe('checks before uploading', () => {
  it('refuses what the server would refuse for sure, and says the limit', () => {
    const l = fileLimits(limits);
    expect(precheck({ name: 'a.png', type: 'image/png', size: 11 * MB }, l)).toBe('too_large');
    expect(precheck({ name: 'a.exe', type: 'application/x-msdownload', size: 10 }, l)).toBeNull(); // unknown: the server sniffs
    expect(precheck({ name: 'a.zip', type: 'application/zip', size: 10 }, l)).toBe('type_not_allowed');
    expect(precheck({ name: 'page.HTML', type: '', size: 10 }, l)).toBe('type_not_allowed');
    expect(precheck({ name: 'notes.md', type: 'text/markdown', size: 10 }, l)).toBeNull(); // text/plain is allowed
    expect(guessType({ name: 'x.jpeg', type: '' })).toBe('image/jpeg');
    expect(reason(uploadEn, 'too_large', l)).toBe('File too large (up to 10 MB)');
    expect(reason(uploadZhCN, 'too_large', l)).toBe('文件过大 (最大 10 MB)');
    expect(reason(uploadEn, 'type_not_allowed', l)).toBe("This type of file can't be sent (PNG, JPEG, PDF, TXT)");
    expect(reason(uploadEn, 'image_too_large', l)).toBe('Image too large (up to 40 megapixels)');
    expect(reason(uploadEn, 'whatever', l)).toBe(uploadEn.refused);
    expect(Object.keys(uploadZhCN.why).sort()).toEqual(Object.keys(uploadEn.why).sort());
  });

  it('ignores malformed limits', () => {
    expect(fileLimits({ maxFile: -1, maxPixels: 'x', fileTypes: [1] })).toEqual({});
    expect(fileLimits(null)).toEqual({});
  });

  it('reads the server answer: metadata, refusal, Retry-After, and anything else as retryable', () => {
    expect(readAnswer(201, '{"id":"Jq3","name":"a"}', null)).toEqual({ ok: true, id: 'Jq3' });
    expect(readAnswer(413, '{"code":"too_large","retry":false,"limit":5}', null)).toEqual({ ok: false, code: 'too_large', retry: false });
    expect(readAnswer(429, '{"code":"rate_limited","retry":true}', '7')).toEqual({ ok: false, code: 'rate_limited', retry: true, after: 7000 });
    expect(readAnswer(502, '<html>', null)).toEqual({ ok: false, code: '', retry: true });
    expect(readAnswer(200, '{"id":"<script>"}', null)).toEqual({ ok: false, code: '', retry: true });
  });
});

describe('the tray', () => {
  it('shows chosen files; a refused one says why and is never sent; Send puts the rest into the outbox in order', async () => {
    const { up, panel, store } = setup();
    up.take('change', [png('one.png'), new File(['x'], 'two.pdf', { type: 'application/pdf' }), png('huge.png', 11 * MB)]);
    const tray = must(panel.querySelector<HTMLElement>('[data-testid="kefu-tray"]'));
    expect(tray.hidden).toBe(false);
    expect(tray.querySelectorAll('[data-testid="kefu-tray-item"]')).toHaveLength(3);
    expect(must(tray.querySelector('[data-testid="kefu-tray-error"]')).textContent).toBe('File too large (up to 10 MB)');
    expect(tray.querySelectorAll('[data-testid="kefu-preview"]')).toHaveLength(1);
    await up.send();
    expect(tray.hidden).toBe(true);
    const recs = [...store.map.values()] as OutboxRecord[];
    expect(recs.map((r) => r.up?.n)).toEqual(['one.png', 'two.pdf']);
    expect(recs.every((r) => r.up?.b instanceof Blob && /^[\w-]{22}$/.test(r.up.u) && (r.op as { k: string }).k === 'msg')).toBe(true);
    expect(new Set(recs.map((r) => r.up?.u)).size).toBe(2);
  });

  it('remove takes a file out before sending', async () => {
    const { up, panel, store } = setup();
    up.take('change', [png()]);
    (must(panel.querySelector('[data-testid="kefu-tray-remove"]')) as HTMLButtonElement).click();
    expect(must(panel.querySelector<HTMLElement>('[data-testid="kefu-tray"]')).hidden).toBe(true);
    await up.send();
    expect(store.map.size).toBe(0);
  });
});

describe('uploading a file record', () => {
  async function record(s: ReturnType<typeof setup>) {
    s.up.take('change', [png('a b.png')]);
    await s.up.send();
    return must([...s.store.map.values()][0]) as OutboxRecord;
  }

  it('posts the Blob itself with the token, then writes the att into the record', async () => {
    const s = setup();
    const r = await record(s);
    const done = must(await s.up.upload(r, () => true));
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]?.url).toBe(`/kefu/files/c1?id=${r.up?.u ?? ''}&name=a%20b.png`);
    expect(s.requests[0]?.token).toBe('TOKEN');
    expect(s.requests[0]?.body).toBeInstanceOf(Blob);
    expect(done.op).toEqual({ k: 'msg', att: { id: 'ATT1' } });
    expect(s.store.map.get(r.id)).toMatchObject({ op: { k: 'msg', att: { id: 'ATT1' } } });
  });

  it('no answer is tried again; rate_limited after its Retry-After; a refusal for good is shown failed', async () => {
    const s = setup([{ ok: false, code: '', retry: true }, { ok: false, code: 'rate_limited', retry: true, after: 7000 }, { ok: false, code: 'too_large', retry: false }]);
    const r = await record(s);
    expect(await s.up.upload(r, () => true)).toBeNull();
    expect(s.requests).toHaveLength(3);
    expect(s.waits[1]).toBe(7000);
    expect(s.store.map.get(r.id)).toMatchObject({ err: 'too_large' });
    expect(s.ch.items('v1')[0]).toMatchObject({ status: 'failed', err: 'too_large' });
  });

  it('store_unavailable is given up after a few tries, and can be retried', async () => {
    const busy = { ok: false as const, code: 'store_unavailable', retry: true };
    const s = setup(Array.from({ length: 6 }, () => busy));
    const r = await record(s);
    expect(await s.up.upload(r, () => true)).toBeNull();
    expect(s.requests).toHaveLength(6);
    expect(s.store.map.get(r.id)).toMatchObject({ err: 'store_unavailable', re: true });
  });

  it('stops trying once its drain is no longer current (the record stays for the next leader)', async () => {
    const s = setup([{ ok: false, code: '', retry: true }]);
    const r = await record(s);
    expect(await s.up.upload(r, () => false)).toBeNull();
    expect(s.requests).toHaveLength(1);
    expect((s.store.map.get(r.id) as OutboxRecord | undefined)?.err).toBeUndefined();
  });

  it('two drains asking for the same record share one upload', async () => {
    const s = setup();
    const r = await record(s);
    const [a, b] = await Promise.all([s.up.upload(r, () => true), s.up.upload(r, () => true)]);
    expect(s.requests).toHaveLength(1);
    expect(a).toEqual(b);
  });
});

describe('the log', () => {
  it('a pending file shows its preview, size and progress; failed, it says why with the limit, Retry only when it may pass', async () => {
    const s = setup([{ ok: false, code: 'too_large', retry: false }]);
    s.up.take('change', [png('a.png', 2048)]);
    await s.up.send();
    const list = document.createElement('ol');
    const render = () => {
      list.replaceChildren(...s.ch.items('v1').map((m) => renderMessage(m, en, 'en')));
      s.up.fill(list);
    };
    render();
    const chip = must(list.querySelector('[data-testid="kefu-upload"]'));
    expect(must(chip.querySelector('.fname')).textContent).toBe('a.png');
    expect(must(chip.querySelector('.fsize')).textContent).toBe('2.0 KB');
    expect(chip.querySelector('[data-testid="kefu-preview"]')).not.toBeNull();
    expect(chip.querySelector('[data-testid="kefu-upload-progress"]')).not.toBeNull();
    const r = must([...s.store.map.values()][0]) as OutboxRecord;
    await s.up.upload(r, () => true);
    await flush();
    render();
    expect(must(list.querySelector('[data-testid="kefu-fail-reason"]')).textContent).toBe('File too large (up to 10 MB)');
    expect(list.querySelector('[data-testid="kefu-retry"]')).toBeNull();
    expect(list.querySelector('[data-testid="kefu-upload-progress"]')).toBeNull();
    (must(list.querySelector('[data-testid="kefu-discard"]')) as HTMLButtonElement).click();
    await flush();
    expect(s.store.map.size).toBe(0);
  });
});
