// "Back Monday 09:00": when agents are back, in the visitor's own time zone and language. The server sends the instant
// (welcome.avail.back, Unix ms, protocol §2.4); only the browser knows the visitor's zone, so the wording is made here.
import type { Lang } from '../../i18n';
import type { AwayStrings } from '../../i18n/away';

interface LocalParts {
  day: number; // days since 1970-01-01 in the zone: compares calendar dates across a DST change
  time: string; // HH:mm, 24-hour
  weekday: string;
  date: string;
}

function partsIn(ms: number, lang: Lang, timeZone: string | undefined): LocalParts {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  const day = Math.round(Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day)) / 86400000);
  const weekday = new Intl.DateTimeFormat(lang, { timeZone, weekday: 'long' }).format(new Date(ms));
  const date = new Intl.DateTimeFormat(lang, { timeZone, month: 'short', day: 'numeric', weekday: 'short' }).format(new Date(ms));
  return { day, time: `${p.hour ?? '00'}:${p.minute ?? '00'}`, weekday, date };
}

/**
 * The "back at" sentence for the instant `back`, seen at `now`: today / tomorrow / a weekday within the coming week /
 * a date beyond it. `timeZone` is for tests; the widget passes none (the browser's own zone).
 */
export function backAtText(back: number, now: number, lang: Lang, s: AwayStrings, timeZone?: string): string {
  const b = partsIn(back, lang, timeZone);
  const n = partsIn(now, lang, timeZone);
  const days = b.day - n.day;
  if (days <= 0) return s.backToday(b.time);
  if (days === 1) return s.backTomorrow(b.time);
  if (days < 7) return s.backOn(b.weekday, b.time);
  return s.backOn(b.date, b.time);
}
