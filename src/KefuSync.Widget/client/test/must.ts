// Tests index arrays they have just filled. With noUncheckedIndexedAccess each such read is `T | undefined`; `must`
// turns a wrong assumption into a failure that says what was missing, instead of a `!` that would hide it.
export function must<T>(v: T | null | undefined, what = 'the value'): T {
  if (v === undefined || v === null) throw new Error(`expected ${what}, got ${String(v)}`);
  return v;
}
