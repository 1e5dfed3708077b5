// Signed links of attachments (protocol §9.1 `links`, §9.5): the ids that chips ask for in one task go to the server
// in one request (at most 100 ids each), and a link is reused until shortly before its `exp`. The visitor proves who
// they are with the `X-Kefu-Token` header, an agent with the site's cookie: the signed URL itself then needs neither,
// which is what lets a plain <img> show the file.
import { isObj } from '../../protocol/validation';

export interface FileLink {
  url: string;
  thumb?: string;
  exp: number;
}

export interface FileLinksOptions {
  endpoint: string;
  /** the conversation key (the KEY of `conv:KEY`), asked at each request: the widget's conversation may change */
  scope: () => string;
  /** the visitor token for `X-Kefu-Token`; agents leave it out (cookie) */
  token?: (() => string | undefined) | undefined;
  now?: () => number;
}

const BATCH = 100;
/** ask again this long before a link expires, so an <img> or a click never gets a dead URL */
const MARGIN_MS = 60_000;
/** at most this many links are kept; the oldest go first (a conversation shows far fewer files) */
const MAX_CACHED = 500;

export class FileLinks {
  private readonly cache = new Map<string, FileLink>();
  private queue = new Map<string, ((l: FileLink | undefined) => void)[]>();
  private scheduled = false;
  private readonly now: () => number;

  constructor(private readonly o: FileLinksOptions) {
    this.now = o.now ?? Date.now;
  }

  /** The link of one attachment, or undefined when the server does not give one (unknown, recalled, not ours). */
  get(id: string): Promise<FileLink | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.exp - MARGIN_MS > this.now()) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const waiting = this.queue.get(id);
      if (waiting) waiting.push(resolve);
      else this.queue.set(id, [resolve]);
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const all = [...this.queue];
    this.queue = new Map();
    for (let i = 0; i < all.length; i += BATCH) {
      const part = all.slice(i, i + BATCH);
      const links = await this.fetchLinks(part.map(([id]) => id));
      for (const [id, resolvers] of part) {
        const l = links.get(id);
        if (l) this.remember(id, l);
        for (const r of resolvers) r(l);
      }
    }
  }

  private remember(id: string, l: FileLink): void {
    this.cache.delete(id);
    this.cache.set(id, l);
    if (this.cache.size > MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private async fetchLinks(ids: string[]): Promise<Map<string, FileLink>> {
    const out = new Map<string, FileLink>();
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const token = this.o.token?.();
    if (token) headers['X-Kefu-Token'] = token;
    let body: unknown;
    try {
      const r = await fetch(`${this.o.endpoint}/files/${encodeURIComponent(this.o.scope())}/links`, {
        method: 'POST', headers, body: JSON.stringify({ ids }), credentials: 'same-origin', cache: 'no-store',
      });
      if (!r.ok) return out;
      body = await r.json();
    } catch {
      return out; // offline or refused: the chip keeps its name, and asks again when it is drawn next
    }
    const links = isObj(body) && isObj(body.links) ? body.links : {};
    for (const id of ids) {
      const l = parseLink(links[id], this.o.endpoint);
      if (l) out.set(id, l);
    }
    return out;
  }
}

/** A link from the server, with its URLs made absolute; only http(s) URLs are kept (never `javascript:`). */
export function parseLink(v: unknown, endpoint: string): FileLink | undefined {
  if (!isObj(v) || typeof v.exp !== 'number' || !Number.isFinite(v.exp)) return undefined;
  const base = new URL(endpoint + '/', location.href);
  const url = safeUrl(v.url, base);
  if (!url) return undefined;
  const thumb = v.thumb === undefined ? undefined : safeUrl(v.thumb, base);
  if (v.thumb !== undefined && !thumb) return undefined;
  return thumb ? { url, thumb, exp: v.exp } : { url, exp: v.exp };
}

function safeUrl(v: unknown, base: URL): string | undefined {
  if (typeof v !== 'string' || v.length > 4000) return undefined;
  try {
    const u = new URL(v, base);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
