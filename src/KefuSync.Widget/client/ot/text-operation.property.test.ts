// Property tests: random documents (with CJK and emoji) and random operations that respect surrogate pairs.
import { describe, expect, it } from 'vitest';
import { compose, invert, parse, transform, transformIndex, TextOperation } from './text-operation';
import { int, randomOp, randomText, seeded } from './random-ops.test-util';
import { must } from '../test/must';

const RUNS = 500;

describe('properties', () => {
  it('transform converges (TP1)', () => {
    const rng = seeded(1);
    for (let i = 0; i < RUNS; i++) {
      const doc = randomText(rng, 12);
      const a = randomOp(rng, doc);
      const b = randomOp(rng, doc);
      const [ap, bp] = transform(a, b);
      expect(bp.apply(a.apply(doc))).toBe(ap.apply(b.apply(doc)));
    }
  });

  it('compose equals applying in sequence', () => {
    const rng = seeded(2);
    for (let i = 0; i < RUNS; i++) {
      const doc = randomText(rng, 12);
      const a = randomOp(rng, doc);
      const mid = a.apply(doc);
      const b = randomOp(rng, mid);
      expect(compose(a, b).apply(doc)).toBe(b.apply(mid));
    }
  });

  it('invert undoes', () => {
    const rng = seeded(3);
    for (let i = 0; i < RUNS; i++) {
      const doc = randomText(rng, 12);
      const a = randomOp(rng, doc);
      expect(invert(a, doc).apply(a.apply(doc))).toBe(doc);
    }
  });

  it('transformIndex stays in range and keeps order', () => {
    const rng = seeded(4);
    for (let i = 0; i < RUNS; i++) {
      const doc = randomText(rng, 12);
      const a = randomOp(rng, doc);
      const x = int(rng, doc.length + 1);
      const y = int(rng, doc.length + 1);
      const before = rng() < 0.5;
      const tx = transformIndex(a, x, before);
      const ty = transformIndex(a, y, before);
      expect(tx).toBeGreaterThanOrEqual(0);
      expect(tx).toBeLessThanOrEqual(a.targetLength);
      if (x <= y) expect(tx).toBeLessThanOrEqual(ty);
    }
  });

  it('round-trips through JSON', () => {
    const rng = seeded(5);
    for (let i = 0; i < RUNS; i++) {
      const doc = randomText(rng, 12);
      const a = randomOp(rng, doc);
      const back = parse(JSON.stringify(a));
      expect(back.equals(a)).toBe(true);
      expect(back.baseLength).toBe(a.baseLength);
    }
  });

  it('results are canonical', () => {
    const rng = seeded(6);
    const canonical = (op: TextOperation): boolean =>
      op.ops.every((c, i) => {
        if (c === 0 || c === '') return false;
        if (i === 0) return true;
        const p = must(op.ops[i - 1]);
        const kind = (x: number | string): string => (typeof x === 'string' ? 'i' : x > 0 ? 'r' : 'd');
        return kind(p) !== kind(c) && !(kind(p) === 'd' && kind(c) === 'i');
      });
    for (let i = 0; i < RUNS; i++) {
      const doc = randomText(rng, 12);
      const a = randomOp(rng, doc);
      const b = randomOp(rng, doc);
      const [ap, bp] = transform(a, b);
      const c = randomOp(rng, a.apply(doc));
      for (const op of [a, ap, bp, compose(a, c), invert(a, doc)]) expect(canonical(op)).toBe(true);
    }
  });
});
