import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  OtError,
  TextOperation,
  compose,
  fromJSON,
  invert,
  parse,
  transform,
  transformIndex,
  type OtComponent,
} from './text-operation';
import { must } from '../test/must';

interface Vector {
  name: string;
  kind: 'apply' | 'compose' | 'transform' | 'invert' | 'transformIndex' | 'parse';
  doc?: string;
  op?: OtComponent[];
  a?: OtComponent[];
  b?: OtComponent[];
  aPrime?: OtComponent[];
  bPrime?: OtComponent[];
  expected?: unknown;
  expectedDoc?: string;
  index?: number;
  insertGoesBefore?: boolean;
  json?: string;
  maxComponents?: number;
  error?: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../../tests/vectors/ot.json', import.meta.url), 'utf8'),
) as { format: number; cases: Vector[] };

/** Runs f and returns the OtError code it throws; fails when it returns normally or throws something else. */
function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OtError);
    return (e as OtError).code;
  }
  throw new Error('expected an OtError, but nothing was thrown');
}

function run(v: Vector): void {
  switch (v.kind) {
    case 'apply': {
      const op = fromJSON(v.op);
      if (v.error) expect(errorCode(() => op.apply(must(v.doc, 'doc')))).toBe(v.error);
      else expect(op.apply(must(v.doc, 'doc'))).toBe(v.expected);
      return;
    }
    case 'compose': {
      const a = fromJSON(v.a);
      const b = fromJSON(v.b);
      if (v.error) {
        expect(errorCode(() => compose(a, b))).toBe(v.error);
        return;
      }
      const ab = compose(a, b);
      expect(ab.toJSON()).toEqual(v.expected);
      expect(ab.apply(must(v.doc, 'doc'))).toBe(v.expectedDoc);
      expect(b.apply(a.apply(must(v.doc, 'doc')))).toBe(v.expectedDoc);
      return;
    }
    case 'transform': {
      const a = fromJSON(v.a);
      const b = fromJSON(v.b);
      if (v.error) {
        expect(errorCode(() => transform(a, b))).toBe(v.error);
        return;
      }
      const [ap, bp] = transform(a, b);
      expect(ap.toJSON()).toEqual(v.aPrime);
      expect(bp.toJSON()).toEqual(v.bPrime);
      expect(bp.apply(a.apply(must(v.doc, 'doc')))).toBe(v.expectedDoc);
      expect(ap.apply(b.apply(must(v.doc, 'doc')))).toBe(v.expectedDoc);
      return;
    }
    case 'invert': {
      const op = fromJSON(v.op);
      if (v.error) {
        expect(errorCode(() => invert(op, must(v.doc, 'doc')))).toBe(v.error);
        return;
      }
      const inv = invert(op, must(v.doc, 'doc'));
      expect(inv.toJSON()).toEqual(v.expected);
      expect(inv.apply(op.apply(must(v.doc, 'doc')))).toBe(v.doc);
      return;
    }
    case 'transformIndex':
      expect(transformIndex(fromJSON(v.op), must(v.index, 'index'), v.insertGoesBefore ?? true)).toBe(v.expected);
      return;
    case 'parse':
      if (v.error) expect(errorCode(() => parse(must(v.json, 'json'), v.maxComponents))).toBe(v.error);
      else expect(parse(must(v.json, 'json'), v.maxComponents).toJSON()).toEqual(v.expected);
      return;
    default:
      throw new Error(`unknown vector kind in ${JSON.stringify(v)}`);
  }
}

describe('shared vectors (tests/vectors/ot.json)', () => {
  it('has the expected format and enough cases', () => {
    expect(vectors.format).toBe(1);
    expect(vectors.cases.length).toBeGreaterThanOrEqual(40);
  });
  it.each(vectors.cases.map((v) => [v.name, v] as const))('%s', (_name, v) => run(v));
});

describe('builder', () => {
  it('merges adjacent components of the same kind', () => {
    const op = new TextOperation().retain(1).retain(2).insert('a').insert('b').delete(1).delete(2);
    expect(op.toJSON()).toEqual([3, 'ab', -3]);
    expect(op.baseLength).toBe(6);
    expect(op.targetLength).toBe(5);
  });
  it('puts an insert before an adjacent delete', () => {
    expect(new TextOperation().retain(1).delete(2).insert('x').toJSON()).toEqual([1, 'x', -2]);
    expect(new TextOperation().insert('a').delete(2).insert('b').toJSON()).toEqual(['ab', -2]);
  });
  it('ignores zero-length components', () => {
    expect(new TextOperation().retain(0).insert('').delete(0).toJSON()).toEqual([]);
  });
  it('rejects negative and fractional lengths', () => {
    expect(() => new TextOperation().retain(-1)).toThrow(RangeError);
    expect(() => new TextOperation().delete(1.5)).toThrow(RangeError);
  });
  it('reports no-ops and structural equality', () => {
    expect(new TextOperation().retain(3).isNoop()).toBe(true);
    expect(new TextOperation().retain(1).insert('x').isNoop()).toBe(false);
    expect(new TextOperation().retain(1).insert('x').equals(fromJSON([1, 'x']))).toBe(true);
    expect(new TextOperation().retain(1).insert('x').equals(fromJSON(['x', 1]))).toBe(false);
  });
  it('round-trips through JSON text', () => {
    const op = new TextOperation().retain(2).insert('你好😀').delete(3).retain(1);
    expect(parse(JSON.stringify(op)).equals(op)).toBe(true);
  });
});
