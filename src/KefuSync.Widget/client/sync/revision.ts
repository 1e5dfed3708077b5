// Protocol §5 in one place: revisions of a channel are consecutive; apply rev only when last applied is rev - 1,
// ignore rev <= last (a replay), and a rev beyond last + 1 is a gap: subscribe again from `last`.

export type Verdict = 'apply' | 'old' | 'gap';

export function judge(last: number, rev: number): Verdict {
  return rev === last + 1 ? 'apply' : rev <= last ? 'old' : 'gap';
}
