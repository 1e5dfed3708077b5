// The main bundle's side of the offline form: decides the launcher and the compose lock at once (away-rules.ts), asks
// the server again when the hours open or close, and loads the form itself (kefu-away.js, away-panel.ts) only when a
// visitor needs it: outside hours, or nobody online. Most page views never download it, which keeps the widget that
// every visitor loads within its size budget (size.test.ts). The script gets the widget's own nonce: it runs under a
// strict CSP (`script-src 'nonce-…'`) like the widget.
import type { Lang } from '../../i18n';
import { parseAvailability, type Availability } from '../../protocol/availability';
import type { AwayPanel } from './away-panel';
import { awayRules, type AwayState } from './away-rules';
import { el } from './dom';
import { loadModule } from './lazy-module';

/** The event kefu-away.js fires with its exports once it ran. */
export const AWAY_MODULE_EVENT = 'kefu-away.js';
export interface AwayModule {
  AwayPanel: typeof AwayPanel;
}

export interface AwaySlotHost {
  saveEmail(email: string): Promise<void>;
  launcher(visible: boolean): void;
  lock(locked: boolean): void;
}

const MAX_TIMER_MS = 6 * 3600 * 1000; // ask again at least every 6 hours: a sleeping laptop's timer may drift
const RETRY_MS = 60_000;

export class AwaySlot {
  readonly element: HTMLDivElement;
  private avail: Availability | null = null;
  private email: string | null = null;
  private state: AwayState = { agentsOnline: false, hasMessages: false, open: false };
  private panel: AwayPanel | null = null;
  private loading = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly lang: Lang,
    private readonly endpoint: string,
    private readonly script: { src: string | undefined; nonce: string | undefined },
    private readonly host: AwaySlotHost,
  ) {
    this.element = el('div', { class: 'away-slot', 'data-testid': 'kefu-away-slot' });
  }

  /** Outside business hours now: the note replaces the widget's generic "we're away" hint. */
  get outside(): boolean {
    return this.avail !== null && !this.avail.open;
  }

  /** From a `welcome`; undefined from an older server (always in hours, never asks). */
  setAvailability(a: Availability | undefined): void {
    this.avail = a ?? null;
    this.schedule();
    this.apply();
  }

  setEmail(email: string | null): void {
    if (email === this.email) return;
    this.email = email;
    this.apply();
  }

  update(state: AwayState): void {
    this.state = state;
    this.apply();
  }

  private apply(): void {
    const r = awayRules(this.avail, this.state, this.email);
    this.host.launcher(r.launcher);
    this.host.lock(r.lock);
    this.element.setAttribute('data-outside', String(r.outside));
    if (this.panel) {
      this.panel.setAvailability(this.avail);
      this.panel.setEmail(this.email);
      this.panel.update(this.state);
    } else if (r.panel) {
      this.load();
    }
  }

  private load(): void {
    if (this.loading) return;
    this.loading = true;
    loadModule<AwayModule | undefined>(AWAY_MODULE_EVENT, this.script).then(
      (mod) => {
        if (!mod || this.panel) return;
        this.panel = new mod.AwayPanel(this.lang, this.endpoint, { saveEmail: (email) => this.host.saveEmail(email) });
        this.element.append(this.panel.element);
        this.apply();
      },
      // offline or blocked: try again with the next change
      () => (this.loading = false),
    );
  }

  /** Asks the server again when the hours open or close (`next`), so a page left open shows the right state. */
  private schedule(): void {
    clearTimeout(this.timer);
    const next = this.avail?.next;
    if (next === undefined) return;
    this.timer = setTimeout(() => void this.refresh(), Math.min(Math.max(next - Date.now(), 0) + 1000, MAX_TIMER_MS));
  }

  private async refresh(): Promise<void> {
    let fresh: Availability | null = null;
    try {
      const r = await fetch(`${this.endpoint}/availability`, { cache: 'no-store', credentials: 'same-origin' });
      if (r.ok) fresh = parseAvailability(await r.json());
    } catch {
      fresh = null; // offline: keep what we have and ask again later
    }
    if (!fresh || !this.avail) {
      this.timer = setTimeout(() => void this.refresh(), RETRY_MS);
      return;
    }
    // the server answers for an anonymous visitor: this visitor's own `ask` came with the welcome
    this.setAvailability({ ...fresh, ask: this.avail.ask });
  }
}
