// One upload (docs/protocol.md §9.1): the Blob is the request body, as it is (XMLHttpRequest streams it from disk; no
// byte of it is read into JavaScript), so a 20 MB file costs the page nothing. XMLHttpRequest rather than fetch:
// only it reports upload progress. The answer is the attachment's id, or the refusal's code and whether to retry.
import { isObj } from '../../protocol/validation';

export type UploadResult =
  | { ok: true; id: string }
  /** `code` '' is no answer (offline, aborted): retryable. `after`: Retry-After in ms. */
  | { ok: false; code: string; retry: boolean; after?: number };

export interface UploadRequest {
  url: string;
  token: string | undefined;
  body: Blob;
  progress?: (fraction: number) => void;
}

export function uploadFile(o: UploadRequest, xhr: () => XMLHttpRequest = () => new XMLHttpRequest()): Promise<UploadResult> {
  return new Promise((resolve) => {
    const x = xhr();
    x.open('POST', o.url);
    if (o.token) x.setRequestHeader('X-Kefu-Token', o.token);
    x.upload.onprogress = (e): void => {
      if (e.lengthComputable && e.total > 0) o.progress?.(e.loaded / e.total);
    };
    x.onload = (): void => resolve(readAnswer(x.status, x.responseText, x.getResponseHeader('Retry-After')));
    x.onerror = x.onabort = x.ontimeout = (): void => resolve({ ok: false, code: '', retry: true });
    x.send(o.body);
  });
}

/** The server's answer: 200/201 with the metadata (§9.3), or `{code, retry}` (§9.4). Anything else is retryable. */
export function readAnswer(status: number, text: string, retryAfter: string | null): UploadResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (status === 200 || status === 201) {
    if (isObj(body) && typeof body.id === 'string' && /^[\w-]{1,64}$/.test(body.id)) return { ok: true, id: body.id };
    return { ok: false, code: '', retry: true };
  }
  const code = isObj(body) && typeof body.code === 'string' ? body.code : '';
  const retry = isObj(body) && typeof body.retry === 'boolean' ? body.retry : status >= 500 || status === 429 || !code;
  const s = Number(retryAfter);
  return { ok: false, code, retry, ...(retryAfter !== null && Number.isFinite(s) && s >= 0 ? { after: Math.min(s, 3600) * 1000 } : {}) };
}
