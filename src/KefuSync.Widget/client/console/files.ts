// Files an agent attaches (protocol §3 conventions, §9): uploads with progress, the canned-reply copy, and the two
// co-edited text documents that hold attachment metadata.
//
// Design (docs/protocol.md §3): a file attached to the shared reply draft is a line of JSON metadata in the text document
// `draft:KEY.files`, next to `draft:KEY`. A document, not presence, because a draft with a file must outlive the tab
// that attached it, as the draft's text does; and OT merges two agents attaching at once. Whichever agent sends the draft
// sends the files, one `msg` each, with the client op id `att:<attachment id>`: the server dedupes op ids per channel,
// so two agents sending the same draft at once, or one sending twice, still give each file exactly once. The upload id
// is chosen once per chosen file (a retry reuses it: the server returns the same attachment), and the op id follows from
// the attachment id, so both are chosen once per file.
//
// A canned reply's file is a line `NAME<TAB>META` of `canned:_files`, META an attachment of the `_canned` scope.
// Inserting the reply copies the file into the conversation's scope (`copy`, §9.1) under a fresh upload id, so each
// insertion is a new attachment of that conversation (its visitor may download it, nobody else) and a second insertion
// of the same reply is a second message, not a duplicate the server would drop.
import { parseAttachment, type Attachment } from '../protocol/attachment';
import { draftChannel } from '../protocol/channels';
import { ErrorCode } from '../protocol/error-codes';
import { isObj } from '../protocol/validation';
import { randomId } from '../util/emitter';

/** The scope of canned replies' files (§9.1). */
export const CANNED_SCOPE = '_canned';

/** `draft:KEY.files`: the files attached to a conversation's reply draft, one JSON line each. */
export const draftFilesChannel = (key: string): string => `${draftChannel(key)}.files`;

/** The client op id of the `msg` carrying an attachment: one per attachment, whoever sends it. */
export const attOpId = (attId: string): string => `att:${attId}`;

export const newUploadId = (): string => randomId(16);

/** The attachments listed in a files document: valid lines, first occurrence of an id wins, in order. */
export function parseFiles(doc: string): Attachment[] {
  const out: Attachment[] = [];
  const seen = new Set<string>();
  for (const line of doc.split('\n')) {
    const a = parseLine(line);
    if (a && !seen.has(a.id)) {
      seen.add(a.id);
      out.push(a);
    }
  }
  return out;
}

function parseLine(line: string): Attachment | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return parseAttachment(JSON.parse(t));
  } catch {
    return undefined; // a line two agents edited into nonsense: ignored, never fatal
  }
}

/** One line of metadata, only the members of §9.3 (never the signed URLs of the upload reply: they expire). */
export function fileLine(a: Attachment): string {
  const { id, name, size, type, w, h, sha256, thumb } = a;
  return JSON.stringify({ id, name, size, type, w, h, sha256, thumb });
}

export function addFile(doc: string, a: Attachment): string {
  if (parseFiles(doc).some((x) => x.id === a.id)) return doc;
  return doc === '' || doc.endsWith('\n') ? doc + fileLine(a) : `${doc}\n${fileLine(a)}`;
}

export function removeFile(doc: string, id: string): string {
  return doc
    .split('\n')
    .filter((l) => parseLine(l)?.id !== id)
    .join('\n');
}

/** The `msg` ops that send a draft: one per file, the text with the first; none when there are no files. */
export function draftOps(text: string, files: readonly Attachment[]): Array<{ id: string; op: { k: 'msg'; att: { id: string }; text?: string } }> {
  return files.map((f, i) => ({ id: attOpId(f.id), op: i === 0 && text ? { k: 'msg', att: { id: f.id }, text } : { k: 'msg', att: { id: f.id } } }));
}

// ---- canned replies' files ----

/** The file of canned reply `name` in the `canned:_files` document (its last line counts). */
export function cannedFile(doc: string, name: string): Attachment | undefined {
  let found: Attachment | undefined;
  for (const line of doc.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0 || line.slice(0, tab).trim().toLowerCase() !== name.toLowerCase()) continue;
    const a = parseLine(line.slice(tab + 1));
    found = a;
  }
  return found;
}

/** The document with the file of `name` replaced (null: removed). */
export function setCannedFile(doc: string, name: string, a: Attachment | null): string {
  const lines = doc === '' ? [] : doc.split('\n').filter((l) => {
    const tab = l.indexOf('\t');
    return tab < 0 || l.slice(0, tab).trim().toLowerCase() !== name.toLowerCase();
  });
  if (a) lines.push(`${name}\t${fileLine(a)}`);
  return lines.join('\n');
}

// ---- HTTP ----

export interface FileRefusal {
  code: string;
  status: number;
  limit?: number;
  types?: string[];
  retry: boolean;
}

export type FileResult = { ok: true; att: Attachment } | { ok: false; err: FileRefusal };

function refusal(status: number, body: unknown): FileRefusal {
  const b = isObj(body) ? body : {};
  return {
    status,
    code: typeof b.code === 'string' ? b.code : status === 0 ? 'network' : ErrorCode.StoreUnavailable,
    retry: status === 0 || b.retry === true,
    ...(typeof b.limit === 'number' ? { limit: b.limit } : {}),
    ...(Array.isArray(b.types) ? { types: b.types.filter((t): t is string => typeof t === 'string') } : {}),
  };
}

function answer(xhr: XMLHttpRequest): FileResult {
  let body: unknown;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    body = undefined;
  }
  if (xhr.status === 200 || xhr.status === 201) {
    const att = parseAttachment(body);
    if (att) return { ok: true, att };
  }
  return { ok: false, err: refusal(xhr.status, body) };
}

/**
 * Uploads `file` into `scope` (§9.1) as the agent (the site's cookie), reporting progress 0..1. XHR, not fetch: only
 * XHR reports upload progress. The body is the file itself; the server sniffs its type.
 */
export function uploadFile(endpoint: string, scope: string, file: Blob, name: string, uploadId: string, progress: (p: number) => void): Promise<FileResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${endpoint}/files/${encodeURIComponent(scope)}?id=${encodeURIComponent(uploadId)}&name=${encodeURIComponent(name)}`);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) progress(e.loaded / e.total);
    };
    xhr.onload = () => resolve(answer(xhr));
    xhr.onerror = () => resolve({ ok: false, err: refusal(0, undefined) });
    xhr.send(file);
  });
}

/** Copies attachment `att` of scope `from` into `scope` (§9.1 `copy`, agents only). */
export function copyFile(endpoint: string, scope: string, uploadId: string, from: string, att: string): Promise<FileResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${endpoint}/files/${encodeURIComponent(scope)}/copy?id=${encodeURIComponent(uploadId)}&from=${encodeURIComponent(from)}&att=${encodeURIComponent(att)}`);
    xhr.withCredentials = true;
    xhr.onload = () => resolve(answer(xhr));
    xhr.onerror = () => resolve({ ok: false, err: refusal(0, undefined) });
    xhr.send();
  });
}

/** Whether an attachment is shown as an image (the types the server re-encodes and thumbnails, §9.2). */
export const isImage = (a: Attachment): boolean => /^image\/(png|jpeg|gif|webp)$/.test(a.type) && a.thumb !== false;
