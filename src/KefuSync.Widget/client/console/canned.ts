// Canned replies. Design: the names live in one text document, `canned:_index`, one name per line (co-edited with
// OT like everything else); each reply's text is its own document `canned:NAME`. Adding a reply is appending a line
// to the index, renaming is editing the line, deleting is removing it (the old `canned:NAME` document stays, orphaned
// and harmless). Names are what a channel key allows: [A-Za-z0-9_.-], at most 64 characters.
// In the reply box, `/name` right before the caret plus Tab or Enter inserts the reply (a unique prefix is enough).
import { cannedChannel } from '../protocol/channels';

export const CANNED_INDEX = cannedChannel('_index');
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

// `_files` holds the replies' files (console/files.ts): like `_index`, a document of the convention, never a reply
export const isCannedName = (s: string): boolean => NAME.test(s) && s !== '_index' && s !== '_files';

/** The names in the index document: trimmed, valid, first occurrence wins, in document order. */
export function parseCannedIndex(doc: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of doc.split('\n')) {
    const n = line.trim();
    if (!isCannedName(n) || seen.has(n.toLowerCase())) continue;
    seen.add(n.toLowerCase());
    out.push(n);
  }
  return out;
}

/** The index document with `name` appended (unchanged when it is there already or invalid). */
export function addToIndex(doc: string, name: string): string {
  if (!isCannedName(name) || parseCannedIndex(doc).some((n) => n.toLowerCase() === name.toLowerCase())) return doc;
  return doc === '' || doc.endsWith('\n') ? doc + name : `${doc}\n${name}`;
}

/** The index document without the line(s) naming `name`. */
export function removeFromIndex(doc: string, name: string): string {
  return doc
    .split('\n')
    .filter((l) => l.trim().toLowerCase() !== name.toLowerCase())
    .join('\n');
}

/** A `/word` token that ends at the caret and starts the text or follows whitespace. */
export function cannedTrigger(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const query = /(^|\s)\/([A-Za-z0-9_.-]{0,64})$/.exec(before)?.[2];
  if (query === undefined) return null;
  return { start: caret - query.length - 1, query };
}

/** Names matching a query: exact (case-insensitive) first, then prefixes, in index order. */
export function cannedMatches(names: readonly string[], query: string): string[] {
  const q = query.toLowerCase();
  const exact = names.filter((n) => n.toLowerCase() === q);
  const prefix = names.filter((n) => n.toLowerCase() !== q && n.toLowerCase().startsWith(q));
  return [...exact, ...prefix];
}

/**
 * Expands the `/name` before the caret into the canned reply's text. `lookup` returns a reply's text ('' for a reply
 * that is only a file), or undefined while it is not loaded or is empty. Null when there is nothing to expand (no
 * trigger, no unique match, no reply).
 */
export function expandCanned(
  text: string,
  caret: number,
  names: readonly string[],
  lookup: (name: string) => string | undefined,
): { text: string; caret: number; name: string } | null {
  const t = cannedTrigger(text, caret);
  if (!t || !t.query) return null;
  const found = cannedMatches(names, t.query);
  const first = found[0];
  const name = found.length === 1 || first?.toLowerCase() === t.query.toLowerCase() ? first : undefined;
  if (!name) return null;
  const reply = lookup(name);
  // '' is a reply that is only a file (the console's lookup says so): the trigger goes, the file is attached
  if (reply === undefined) return null;
  return { text: text.slice(0, t.start) + reply + text.slice(caret), caret: t.start + reply.length, name };
}
