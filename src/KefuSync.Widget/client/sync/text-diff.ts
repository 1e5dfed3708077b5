// The op that turns `a` into `b` (an editor only reports its new value): keep the common prefix and suffix, replace
// the middle. Never cuts a surrogate pair, so the op is valid for the server (protocol §4.1).
import { TextOperation } from '../ot/text-operation';

const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

export function diffOp(a: string, b: string): TextOperation {
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && p < a.length && isLow(a.charCodeAt(p)) && isHigh(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && s < a.length - p && isHigh(a.charCodeAt(a.length - 1 - s)) && isLow(a.charCodeAt(a.length - s))) s--;
  return new TextOperation()
    .retain(p)
    .delete(a.length - p - s)
    .insert(b.slice(p, b.length - s))
    .retain(s);
}
