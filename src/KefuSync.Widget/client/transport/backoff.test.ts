import { describe, expect, it } from 'vitest';
import { BACKOFF_CAP_MS, backoffDelay } from './backoff';

describe('backoffDelay (exponential, full jitter)', () => {
  it('is 0 with random 0 (full jitter reaches down to zero)', () => {
    expect(backoffDelay(5, () => 0)).toBe(0);
  });

  it('doubles the ceiling per attempt', () => {
    const top = (n: number): number => backoffDelay(n, () => 0.999999);
    expect(top(0)).toBe(499);
    expect(top(1)).toBe(999);
    expect(top(2)).toBe(1999);
    expect(top(3)).toBe(3999);
  });

  it('is capped at about 15 s however many attempts', () => {
    expect(backoffDelay(50, () => 0.999999)).toBeLessThan(BACKOFF_CAP_MS);
    expect(backoffDelay(50, () => 0.999999)).toBeGreaterThan(BACKOFF_CAP_MS - 2);
    expect(backoffDelay(1e9, () => 0.5)).toBe(BACKOFF_CAP_MS / 2);
  });

  it('spreads delays (jitter)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) seen.add(backoffDelay(6));
    expect(seen.size).toBeGreaterThan(30);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(0);
  });
});
