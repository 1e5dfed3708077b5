// Dates and times as the visitor's clock and language show them: the widget's message times and day separators, and
// the console's times (with the date when not today). Lang is one of ours (`Lang`), so Intl never throws on it.

const HM = { hour: '2-digit', minute: '2-digit' } as const;

/** Time of day ("14:05", "2:05 PM"). */
export const timeOfDay = (ts: number, lang: string): string => new Date(ts).toLocaleTimeString(lang, HM);

/** Time of day, with the date when not today (the console's; the widget's list has day separators). */
export function formatTime(ts: number, lang: string, now = Date.now()): string {
  const d = new Date(ts);
  return new Date(now).toDateString() === d.toDateString() ? timeOfDay(ts, lang) : d.toLocaleString(lang, { month: 'short', day: 'numeric', ...HM });
}

/** The day separator's words: "Today", else the weekday and date (with the year when not this one), in local time. */
export function dayLabel(ts: number, lang: string, today: string, now = Date.now()): string {
  const d = new Date(ts);
  const n = new Date(now);
  return d.toDateString() === n.toDateString() ? today : d.toLocaleDateString(lang, { weekday: 'long', month: 'long', day: 'numeric', ...(d.getFullYear() === n.getFullYear() ? {} : { year: 'numeric' }) });
}
