// The console's Hours panel: the business hours in force (the last `settings:hours` op, else the site's configuration,
// which the console page carries in data-kefu-hours), editable by agents unless the site turned it off. The server
// validates a save exactly as it validates the options and says why it refuses one; this form only shapes the op.
import type { Lang } from '../../i18n';
import type { KefuClient } from '../../sync/kefu-client';
import { SettingsChannel } from '../../console/settings-channel';
import { el } from '../widget/dom';
import { hoursStrings, type HoursStrings } from './hours-strings';

export const HOURS_CHANNEL = 'settings:hours';

/** The schedule as the wire and the console page write it (protocol §4.4). */
export interface HoursValue {
  on: boolean;
  tz: string;
  weekly: Record<string, string>;
  exceptions: { date: string; hours: string; name: string }[];
  outside: string;
}

/** Monday first, as a working week reads; keys as on the wire. */
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_INDEX: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Reads a schedule object (an op or the page's configuration); null when it is not one. */
export function parseHours(v: unknown): HoursValue | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.on !== 'boolean' || typeof o.tz !== 'string' || typeof o.outside !== 'string') return null;
  const weekly: Record<string, string> = {};
  const w = o.weekly && typeof o.weekly === 'object' ? (o.weekly as Record<string, unknown>) : {};
  for (const d of DAYS) weekly[d] = typeof w[d] === 'string' ? w[d] : '';
  const exceptions = (Array.isArray(o.exceptions) ? o.exceptions : [])
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => ({ date: str(e.date), hours: str(e.hours), name: str(e.name) }));
  return { on: o.on, tz: o.tz, weekly, exceptions, outside: o.outside };
}

/** The op a save submits: only the schedule's members (the server adds who saved it). */
export function hoursOp(v: HoursValue): Record<string, unknown> {
  return {
    k: 'hours',
    on: v.on,
    tz: v.tz.trim(),
    weekly: Object.fromEntries(DAYS.map((d) => [d, (v.weekly[d] ?? '').trim()])),
    exceptions: v.exceptions.filter((e) => e.date).map((e) => ({ date: e.date, hours: e.hours.trim(), name: e.name.trim() })),
    outside: v.outside,
  };
}

function zones(current: string): string[] {
  let all: string[];
  try {
    all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    all = [];
  }
  return [...new Set(['UTC', current, ...all])].filter(Boolean);
}

export class HoursView {
  readonly element: HTMLElement;
  private readonly s: HoursStrings;
  private readonly channel: SettingsChannel;
  private readonly source: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly status: HTMLElement;
  private pending: string | null = null;

  constructor(
    client: KefuClient,
    private readonly lang: Lang,
    private readonly configured: HoursValue | null,
    private readonly editable: boolean,
  ) {
    this.s = hoursStrings(lang);
    this.source = el('p', { class: 'hours-source', 'data-testid': 'hours-source' });
    this.form = el('form', { class: 'hours-form', 'data-testid': 'hours-form' });
    this.status = el('p', { class: 'hours-status', role: 'status', 'data-testid': 'hours-status' });
    this.element = el('section', { class: 'hours', 'data-testid': 'hours-view', 'aria-label': this.s.title }, el('h3', {}, this.s.title), this.source, this.form, this.status);
    this.channel = new SettingsChannel(client, HOURS_CHANNEL);
    this.channel.on('change', () => this.render());
    this.channel.on('saved', (id, err) => {
      if (id !== this.pending) return;
      this.pending = null;
      this.status.textContent = err ? this.s.refused(err.msg || err.code) : this.s.saved;
      this.status.dataset.state = err ? 'error' : 'saved';
    });
    this.render();
  }

  close(): void {
    this.channel.close();
  }

  private current(): HoursValue | null {
    return parseHours(this.channel.last) ?? this.configured;
  }

  private render(): void {
    const s = this.s;
    const last = this.channel.last;
    const by = typeof last?.name === 'string' ? last.name : '';
    this.source.textContent = last ? s.editedBy(by) : s.fromConfig;
    this.element.dataset.source = last ? 'edited' : 'config';
    const v = this.current();
    if (!v) {
      this.form.replaceChildren();
      return;
    }
    const ro = !this.editable;
    const on = el('input', { type: 'checkbox', 'data-testid': 'hours-on', disabled: ro });
    on.checked = v.on;
    const tz = el('select', { 'data-testid': 'hours-tz', disabled: ro, 'aria-label': s.zone });
    for (const z of zones(v.tz)) tz.append(el('option', { value: z, selected: z === v.tz }, z));
    const dayName = new Intl.DateTimeFormat(this.lang, { weekday: 'long', timeZone: 'UTC' });
    const days = DAYS.map((d) => {
      const input = el('input', { type: 'text', 'data-testid': `hours-day-${d}`, value: v.weekly[d] ?? '', placeholder: s.closedPlaceholder, disabled: ro, inputmode: 'numeric', spellcheck: 'false' });
      // 2023-01-01 was a Sunday: day n of that week names weekday n in the console's language
      const label = dayName.format(new Date(Date.UTC(2023, 0, 1 + (DAY_INDEX[d] ?? 0))));
      return { d, input, row: el('label', { class: 'hours-day' }, el('span', {}, label), input) };
    });
    const exList = el('div', { class: 'hours-exceptions', 'data-testid': 'hours-exceptions' });
    const addRow = (e: { date: string; hours: string; name: string }): void => {
      const date = el('input', { type: 'date', value: e.date, 'aria-label': s.exceptionDate, 'data-testid': 'hours-ex-date', disabled: ro });
      const hours = el('input', { type: 'text', value: e.hours, placeholder: s.closedPlaceholder, 'aria-label': s.exceptionHours, 'data-testid': 'hours-ex-hours', disabled: ro });
      const name = el('input', { type: 'text', value: e.name, 'aria-label': s.exceptionName, placeholder: s.exceptionName, 'data-testid': 'hours-ex-name', disabled: ro, maxlength: '60' });
      const remove = el('button', { type: 'button', class: 'link', 'data-testid': 'hours-ex-remove', hidden: ro }, s.removeException);
      const row = el('div', { class: 'hours-ex', 'data-testid': 'hours-ex' }, date, hours, name, remove);
      remove.addEventListener('click', () => row.remove());
      exList.append(row);
    };
    for (const e of v.exceptions) addRow(e);
    const add = el('button', { type: 'button', class: 'link', 'data-testid': 'hours-ex-add', hidden: ro }, s.addException);
    add.addEventListener('click', () => addRow({ date: '', hours: '', name: '' }));
    const outside = el('select', { 'data-testid': 'hours-outside', disabled: ro, 'aria-label': s.outside });
    for (const [k, t] of [['form', s.outsideForm], ['hide', s.outsideHide], ['chat', s.outsideChat]] as const) outside.append(el('option', { value: k, selected: k === v.outside }, t));
    const save = el('button', { type: 'submit', class: 'primary', 'data-testid': 'hours-save', hidden: ro }, s.save);
    const reset = el('button', { type: 'button', class: 'link', 'data-testid': 'hours-reset', hidden: ro || !last }, s.reset);
    reset.addEventListener('click', () => this.submit({ k: 'reset' }));
    this.form.replaceChildren(
      ...(ro ? [el('p', { class: 'hours-ro', 'data-testid': 'hours-readonly' }, s.readOnly)] : []),
      el('label', { class: 'hours-check' }, on, el('span', {}, s.enabled)),
      el('label', { class: 'hours-field' }, el('span', {}, s.zone), tz),
      el('fieldset', { class: 'hours-week' }, el('legend', {}, s.weekly), ...days.map((x) => x.row), el('p', { class: 'hint' }, s.rangesHint)),
      el('fieldset', { class: 'hours-dates' }, el('legend', {}, s.exceptions), exList, add),
      el('label', { class: 'hours-field' }, el('span', {}, s.outside), outside),
      el('div', { class: 'hours-actions' }, save, reset),
    );
    this.form.onsubmit = (ev) => {
      ev.preventDefault();
      const exceptions = [...exList.querySelectorAll<HTMLElement>('[data-testid=hours-ex]')].map((r) => {
        const [date, hours, name] = [...r.querySelectorAll('input')].map((i) => i.value);
        return { date: date ?? '', hours: hours ?? '', name: name ?? '' };
      });
      this.submit(hoursOp({ on: on.checked, tz: tz.value, weekly: Object.fromEntries(days.map((x) => [x.d, x.input.value])), exceptions, outside: outside.value }));
    };
  }

  private submit(op: Record<string, unknown>): void {
    const id = this.channel.save(op);
    this.pending = id;
    this.status.textContent = id ? this.s.saving : this.s.offline;
    this.status.dataset.state = id ? 'saving' : 'error';
  }
}
