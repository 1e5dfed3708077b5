// The `att` member of a `msg` op (protocol §4.2, §9.3), as the server stored it. It comes from the server, but a
// client never trusts replayed data blindly: anything malformed makes the whole `att` undefined, and the message is
// then read exactly as one without a file.
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

const dim = (v: unknown): boolean => v === undefined || (Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= 1e6);

export function parseAttachment(v: unknown): Attachment | undefined {
  if (!isObj(v)) return undefined;
  const { id, name, size, type, w, h, sha256, thumb } = v;
  if (typeof id !== 'string' || !/^[\w-]{1,64}$/.test(id) || typeof name !== 'string' || !name || name.length > 1000 ||
      !Number.isSafeInteger(size) || (size as number) < 0 || typeof type !== 'string' || !/^[\w.+-]{1,60}\/[\w.+-]{1,60}$/.test(type) ||
      !dim(w) || !dim(h) || (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256))) ||
      (thumb !== undefined && typeof thumb !== 'boolean')) return undefined;
  // a new object of the known members only: nothing else the server (or a cache) carried is kept
  const a: Attachment = { id, name, size: size as number, type };
  if (w !== undefined) a.w = w as number;
  if (h !== undefined) a.h = h as number;
  if (sha256 !== undefined) a.sha256 = sha256;
  if (thumb !== undefined) a.thumb = thumb;
  return a;
}
