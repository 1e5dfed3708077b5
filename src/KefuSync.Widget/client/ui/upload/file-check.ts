// What the widget can tell about a file before uploading it (issue 14 item 1): its size against `welcome.limits.maxFile`,
// and its type against `fileTypes` as far as the browser's type or the extension suggest it. The server sniffs the
// bytes and its answer is what counts (docs/protocol.md §9.2): a file whose type the browser cannot guess goes up and
// lets the server decide; these checks only spare the visitor a pointless upload and say the limit at once.
import { ErrorCode } from '../../protocol/error-codes';
import { isObj } from '../../protocol/validation';

export interface FileLimits {
  /** bytes (§2: `welcome.limits.maxFile`) */
  maxFile?: number;
  /** pixels of an image */
  maxPixels?: number;
  /** the sniffed types the server accepts */
  fileTypes?: string[];
}

/** The limits of `welcome.limits`, the well-formed members only (they come from the server, but are checked anyway). */
export function fileLimits(v: unknown): FileLimits {
  const o: FileLimits = {};
  if (!isObj(v)) return o;
  const pos = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
  if (pos(v.maxFile)) o.maxFile = v.maxFile;
  if (pos(v.maxPixels)) o.maxPixels = v.maxPixels;
  if (Array.isArray(v.fileTypes) && v.fileTypes.every((t) => typeof t === 'string')) o.fileTypes = v.fileTypes;
  return o;
}

const BY_EXT: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', pdf: 'application/pdf',
  zip: 'application/zip', docx: 'application/zip', xlsx: 'application/zip', pptx: 'application/zip',
  txt: 'text/plain', log: 'text/plain', csv: 'text/plain', md: 'text/plain', svg: 'image/svg+xml', html: 'text/html', htm: 'text/html',
};

/** The type the server would probably sniff, from the browser's type, else the extension; '' when neither says. */
export function guessType(f: { name: string; type: string }): string {
  const known = new Set(Object.values(BY_EXT));
  const t = f.type.toLowerCase();
  if (known.has(t)) return t;
  if (t.startsWith('text/') && t !== 'text/html') return 'text/plain';
  return BY_EXT[/\.([a-z0-9]+)$/i.exec(f.name)?.[1]?.toLowerCase() ?? ''] ?? '';
}

/** `too_large` or `type_not_allowed` when the upload would certainly be refused; null when it may go up. */
export function precheck(f: { name: string; type: string; size: number }, l: FileLimits): string | null {
  if (l.maxFile !== undefined && f.size > l.maxFile) return ErrorCode.TooLarge;
  const t = guessType(f);
  if (t && l.fileTypes && !l.fileTypes.includes(t)) return 'type_not_allowed';
  return null;
}

/** A type as visitors know it: `image/png` → PNG, `text/plain` → TXT. */
export const typeLabel = (t: string): string => (t === 'text/plain' ? 'TXT' : (t.split('/')[1] ?? t).replace(/\+xml$/, '').toUpperCase());
