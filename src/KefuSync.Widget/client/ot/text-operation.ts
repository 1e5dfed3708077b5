// Text operations in the ot.js model, the client twin of src/KefuSync.AspNetCore/Ot/TextOperation*.cs.
//
// Invariants (the same as the server's; tests/vectors/ot.json pins both):
// - an operation is a list of components: retain n (positive number), insert s (non-empty string), delete n
//   (negative number). That list IS the wire form: [5, "abc", -2];
// - always canonical: no zero-length component, adjacent same-kind components merged, an insert never directly after
//   a delete. So equal effect <=> equal component list;
// - positions and lengths are UTF-16 code units (JavaScript string indexes);
// - compose:   apply(compose(a, b), S) === apply(b, apply(a, S));
// - transform: [a', b'] = transform(a, b) gives apply(b', apply(a, S)) === apply(a', apply(b, S)) (TP1).
//   Tie-break (normative): when both insert at the same position, a's insert goes first. The server calls
//   transform(committed, incoming) and keeps b'; the client calls transform(serverOp, pending), so the op already
//   committed wins ties on both sides;
// - invert:    apply(invert(a, S), apply(a, S)) === S;
// - apply refuses an operation whose base length is not the document's length, that puts a boundary between the
//   halves of a surrogate pair, or that inserts an unpaired surrogate.
// Kept small for the visitor bundle: algorithms are free functions so a bundle only pays for what it imports, and
// error messages are terse (the code says what is wrong, the numbers where).

/** Stable error codes, identical to the server's OtException.CodeName. */
export type OtErrorCode =
  | 'malformed'
  | 'too_large'
  | 'base_length_mismatch'
  | 'splits_surrogate_pair'
  | 'invalid_surrogate'
  | 'not_composable';

/** An operation is malformed or does not fit its document. */
export class OtError extends Error {
  constructor(readonly code: OtErrorCode, message: string) {
    super(message);
    this.name = 'OtError';
  }
}

/** One component: retain n (> 0), insert (non-empty string), delete (< 0). */
export type OtComponent = number | string;

/** The largest base or target length (the server's Int32 limit). */
export const MAX_LENGTH = 2147483647;
/** Default limit on the number of elements of a parsed operation (as on the server). */
export const DEFAULT_MAX_COMPONENTS = 16384;

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Index of the first unpaired surrogate in s, or -1. */
export function unpairedSurrogateIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHigh(c) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) i++;
    else if (isHigh(c) || isLow(c)) return i;
  }
  return -1;
}

const tooLarge = (n: number): OtError =>
  new OtError('too_large', `length ${n}`);

export class TextOperation {
  /** The components in canonical wire form. Do not modify; use the builder methods. */
  readonly ops: OtComponent[] = [];
  /** Length of the document this operation applies to. */
  baseLength = 0;
  /** Length of the document it produces. */
  targetLength = 0;

  /** Keeps the next n code units. */
  retain(n: number): this {
    if (n === 0) return this;
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`retain ${n}`);
    this.grow(n, n);
    const ops = this.ops;
    const last = ops[ops.length - 1];
    if (typeof last === 'number' && last > 0) ops[ops.length - 1] = last + n;
    else ops.push(n);
    return this;
  }

  /** Inserts s at the current position. */
  insert(s: string): this {
    if (s === '') return this;
    this.grow(0, s.length);
    const ops = this.ops;
    const n = ops.length;
    const last = ops[n - 1];
    if (typeof last === 'string') ops[n - 1] = last + s;
    else if (last !== undefined && last < 0) {
      // Canonical order: an insert next to a delete goes before it.
      const before = ops[n - 2];
      if (typeof before === 'string') ops[n - 2] = before + s;
      else ops.splice(n - 1, 0, s);
    } else ops.push(s);
    return this;
  }

  /** Removes the next n code units. */
  delete(n: number): this {
    if (n === 0) return this;
    if (!(n > 0) || !Number.isInteger(n)) throw new RangeError(`delete ${n}`);
    this.grow(n, 0);
    const ops = this.ops;
    const last = ops[ops.length - 1];
    if (typeof last === 'number' && last < 0) ops[ops.length - 1] = last - n;
    else ops.push(-n);
    return this;
  }

  private grow(base: number, target: number): void {
    if (this.baseLength + base > MAX_LENGTH) throw tooLarge(this.baseLength + base);
    if (this.targetLength + target > MAX_LENGTH) throw tooLarge(this.targetLength + target);
    this.baseLength += base;
    this.targetLength += target;
  }

  /** True when the operation only retains. */
  isNoop(): boolean {
    return this.ops.length === 0 || (this.ops.length === 1 && (this.ops[0] as number) > 0);
  }

  /** Structural equality (canonical form makes it semantic). */
  equals(other: TextOperation): boolean {
    if (this.baseLength !== other.baseLength || this.targetLength !== other.targetLength) return false;
    if (this.ops.length !== other.ops.length) return false;
    return this.ops.every((c, i) => c === other.ops[i]);
  }

  /** The wire form. */
  toJSON(): OtComponent[] {
    return this.ops.slice();
  }

  /** Applies this operation to doc; throws OtError when it does not fit. */
  apply(doc: string): string {
    validate(this, doc);
    let out = '';
    let pos = 0;
    for (const c of this.ops) {
      if (typeof c === 'string') out += c;
      else if (c > 0) {
        out += doc.slice(pos, pos + c);
        pos += c;
      } else pos -= c;
    }
    return out;
  }
}

/**
 * Checks op against doc: base length, no boundary inside a surrogate pair, no unpaired surrogate inserted.
 * O(components + inserted text).
 */
export function validate(op: TextOperation, doc: string): void {
  if (op.baseLength !== doc.length) {
    throw new OtError(
      'base_length_mismatch',
      `base length ${op.baseLength}, document ${doc.length}`,
    );
  }
  let pos = 0;
  op.ops.forEach((c, i) => {
    if (pos > 0 && pos < doc.length && isHigh(doc.charCodeAt(pos - 1)) && isLow(doc.charCodeAt(pos))) {
      throw new OtError(
        'splits_surrogate_pair',
        `component ${i} at ${pos}`,
      );
    }
    if (typeof c === 'string') {
      const bad = unpairedSurrogateIndex(c);
      if (bad >= 0) {
        throw new OtError('invalid_surrogate', `component ${i} offset ${bad}`);
      }
    } else pos += Math.abs(c);
  });
}

const malformed = (message: string): OtError => new OtError('malformed', message);

/**
 * Builds an operation from its wire form (an already parsed JSON value). Accepts non-canonical input and returns the
 * canonical operation; rejects exactly what the server rejects.
 */
export function fromJSON(value: unknown, maxComponents = DEFAULT_MAX_COMPONENTS): TextOperation {
  if (!Array.isArray(value)) throw malformed('not an array');
  if (value.length > maxComponents) throw malformed(`over ${maxComponents} components`);
  const op = new TextOperation();
  value.forEach((c: unknown, i) => {
    if (typeof c === 'string') {
      if (c === '') throw malformed(`component ${i} empty`);
      const bad = unpairedSurrogateIndex(c);
      if (bad >= 0) throw new OtError('invalid_surrogate', `component ${i} offset ${bad}`);
      op.insert(c);
    } else if (typeof c === 'number' && Number.isInteger(c) && Math.abs(c) <= MAX_LENGTH) {
      if (c === 0) throw malformed(`component ${i} zero`);
      if (c > 0) op.retain(c);
      else op.delete(-c);
    } else {
      throw malformed(`component ${i} invalid`);
    }
  });
  return op;
}

/** Parses JSON text into an operation; any failure is an OtError. */
export function parse(json: string, maxComponents = DEFAULT_MAX_COMPONENTS): TextOperation {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw malformed(`not JSON: ${(e as Error).message}`);
  }
  return fromJSON(value, maxComponents);
}

/** Reads components one by one, splitting them as needed (the cursor of compose and transform). */
class Cursor {
  private i = 0;
  private off = 0;
  constructor(private readonly ops: OtComponent[]) {}
  get done(): boolean {
    return this.i >= this.ops.length;
  }
  /** 'r' | 'i' | 'd' */
  get kind(): string {
    const c = this.current();
    return typeof c === 'string' ? 'i' : c > 0 ? 'r' : 'd';
  }
  get remaining(): number {
    const c = this.current();
    return (typeof c === 'string' ? c.length : Math.abs(c)) - this.off;
  }
  /** The component under the cursor; callers check `done` first, so running past the end is a bug, not input. */
  private current(): OtComponent {
    const c = this.ops[this.i];
    if (c === undefined) throw new Error('read past the last component');
    return c;
  }
  skip(n: number): void {
    this.off += n;
    if (this.remaining === 0) {
      this.i++;
      this.off = 0;
    }
  }
  take(n: number): string {
    const s = (this.ops[this.i] as string).slice(this.off, this.off + n);
    this.skip(n);
    return s;
  }
}

/** The operation with the effect of a then b. */
export function compose(a: TextOperation, b: TextOperation): TextOperation {
  if (a.targetLength !== b.baseLength) {
    throw new OtError(
      'not_composable',
      `compose ${a.targetLength}, ${b.baseLength}`,
    );
  }
  const r = new TextOperation();
  const x = new Cursor(a.ops);
  const y = new Cursor(b.ops);
  while (!x.done || !y.done) {
    if (!x.done && x.kind === 'd') {
      r.delete(x.remaining);
      x.skip(x.remaining);
      continue;
    }
    if (!y.done && y.kind === 'i') {
      r.insert(y.take(y.remaining));
      continue;
    }
    if (x.done || y.done) throw new OtError('not_composable', 'lengths differ');
    const n = Math.min(x.remaining, y.remaining);
    const k = x.kind + y.kind;
    if (k === 'rr') {
      r.retain(n);
      x.skip(n);
    } else if (k === 'rd') {
      r.delete(n);
      x.skip(n);
    } else if (k === 'ir') r.insert(x.take(n));
    else x.skip(n); // 'id': b removes what a inserted
    y.skip(n);
  }
  return r;
}

/**
 * Transforms concurrent a and b (same base): returns [a', b'] with apply(b', apply(a, S)) === apply(a', apply(b, S)).
 * At equal positions a's insert goes first (see the file header).
 */
export function transform(a: TextOperation, b: TextOperation): [TextOperation, TextOperation] {
  if (a.baseLength !== b.baseLength) {
    throw new OtError(
      'base_length_mismatch',
      `transform ${a.baseLength}, ${b.baseLength}`,
    );
  }
  const ap = new TextOperation();
  const bp = new TextOperation();
  const x = new Cursor(a.ops);
  const y = new Cursor(b.ops);
  while (!x.done || !y.done) {
    if (!x.done && x.kind === 'i') {
      const n = x.remaining;
      ap.insert(x.take(n));
      bp.retain(n);
      continue;
    }
    if (!y.done && y.kind === 'i') {
      const n = y.remaining;
      ap.retain(n);
      bp.insert(y.take(n));
      continue;
    }
    if (x.done || y.done) throw new OtError('base_length_mismatch', 'lengths differ');
    const n = Math.min(x.remaining, y.remaining);
    const k = x.kind + y.kind;
    if (k === 'rr') {
      ap.retain(n);
      bp.retain(n);
    } else if (k === 'dr') ap.delete(n);
    else if (k === 'rd') bp.delete(n);
    // 'dd': both deleted the same text
    x.skip(n);
    y.skip(n);
  }
  return [ap, bp];
}

/** The operation that undoes op on doc. */
export function invert(op: TextOperation, doc: string): TextOperation {
  validate(op, doc);
  const r = new TextOperation();
  let pos = 0;
  for (const c of op.ops) {
    if (typeof c === 'string') r.delete(c.length);
    else if (c > 0) {
      r.retain(c);
      pos += c;
    } else {
      r.insert(doc.slice(pos, pos - c));
      pos -= c;
    }
  }
  return r;
}

/**
 * Moves a position (cursor or selection end) in [0, op.baseLength] through op. A position inside a deleted range
 * moves to its start. When op inserts exactly at index, insertGoesBefore (default, as in ot.js) moves the position
 * after the inserted text; false keeps it before.
 */
export function transformIndex(op: TextOperation, index: number, insertGoesBefore = true): number {
  if (!Number.isInteger(index) || index < 0 || index > op.baseLength) {
    throw new RangeError(`index ${index} of ${op.baseLength}`);
  }
  let result = index;
  let pos = 0;
  for (const c of op.ops) {
    if (pos > index) break;
    if (typeof c === 'string') {
      if (pos < index || insertGoesBefore) result += c.length;
    } else if (c > 0) pos += c;
    else {
      result -= Math.min(-c, index - pos);
      pos -= c;
    }
  }
  return result;
}
