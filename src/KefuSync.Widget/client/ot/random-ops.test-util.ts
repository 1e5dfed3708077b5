// Seeded random documents and operations for the property tests. Operations only put boundaries between code points,
// never inside a surrogate pair, like real editors.
import { TextOperation } from './text-operation';
import { must } from '../test/must';

export type Rng = () => number;

/** mulberry32: small, fast, deterministic. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rng: Rng, max: number): number => Math.floor(rng() * max);

const ALPHABET = ['a', 'b', 'c', ' ', '你', '好', '😀', '👍'];

export function randomText(rng: Rng, maxCodePoints: number): string {
  let s = '';
  const n = int(rng, maxCodePoints + 1);
  for (let i = 0; i < n; i++) s += must(ALPHABET[int(rng, ALPHABET.length)]);
  return s;
}

/** Positions of doc where a boundary does not split a surrogate pair (0 and doc.length included). */
export function boundaries(doc: string): number[] {
  const out = [0];
  for (let i = 0; i < doc.length; ) {
    const c = doc.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < doc.length ? 2 : 1;
    out.push(i);
  }
  return out;
}

/** A random operation on doc. */
export function randomOp(rng: Rng, doc: string): TextOperation {
  const b = boundaries(doc);
  const op = new TextOperation();
  let k = 0; // index into b
  while (k < b.length - 1) {
    const r = rng();
    const step = 1 + int(rng, Math.min(4, b.length - 1 - k));
    if (r < 0.2) op.insert(randomText(rng, 3));
    else if (r < 0.4) {
      op.delete(must(b[k + step]) - must(b[k]));
      k += step;
    } else {
      op.retain(must(b[k + step]) - must(b[k]));
      k += step;
    }
  }
  if (rng() < 0.3) op.insert(randomText(rng, 3));
  return op;
}
