// The `att` member of a `msg` op (protocol §4.2, §9.3), as the server stored it. It comes from the server, but a
// client never trusts replayed data blindly: anything malformed makes the whole `att` undefined, and the message is
// then read exactly as one without a file. Written compactly: it is part of the widget every visitor loads.
import { isObj } from './validation';

export interface Attachment {
  id: string;
  name: string;
  size: number;
  type: string;
  w?: number;
  h?: number;
  sha256?: string;
  thumb?: boolean;
}

const n = (v: unknown): v is number | undefined => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);
const re = (v: unknown, r: RegExp): boolean => typeof v === 'string' && r.test(v);

export function parseAttachment(v: unknown): Attachment | undefined {
  if (!isObj(v)) return undefined;
  const { id, name, size, type, w, h, sha256, thumb } = v;
  // a new object of the known members only (absent ones stay undefined, which JSON drops): nothing else is kept
  return re(id, /^[\w-]{1,64}$/) && re(name, /^[^]{1,1000}$/) && size !== undefined && n(size) && n(w) && n(h) &&
    re(type, /^[\w.+-]{1,60}\/[\w.+-]{1,60}$/) && (sha256 === undefined || re(sha256, /^[\da-f]{64}$/)) &&
    (thumb === undefined || typeof thumb === 'boolean')
    ? ({ id, name, size, type, w, h, sha256, thumb } as Attachment)
    : undefined;
}
