// The agent's availability on `site`: online, away (chosen, or automatic after a while without input) or offline
// (no entry at all). A manual choice sticks; the automatic away ends at the next input.
export type AgentStatus = 'online' | 'away' | 'offline';

export const AUTO_AWAY_MS = 5 * 60 * 1000;

export class AgentStatusTracker {
  /** what the agent chose */
  chosen: AgentStatus = 'online';
  private lastInput: number;
  private auto = false;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly idleMs = AUTO_AWAY_MS,
  ) {
    this.lastInput = now();
  }

  /** The status to publish now. */
  get status(): AgentStatus {
    return this.chosen === 'online' && this.auto ? 'away' : this.chosen;
  }

  get autoAway(): boolean {
    return this.chosen === 'online' && this.auto;
  }

  choose(s: AgentStatus): void {
    this.chosen = s;
    this.auto = false;
    this.lastInput = this.now();
  }

  /** Any keyboard/pointer input. Returns whether the published status changed. */
  input(): boolean {
    this.lastInput = this.now();
    if (!this.auto) return false;
    this.auto = false;
    return this.chosen === 'online';
  }

  /** Called periodically. Returns whether the published status changed. */
  tick(): boolean {
    if (this.auto || this.chosen !== 'online' || this.now() - this.lastInput < this.idleMs) return false;
    this.auto = true;
    return true;
  }
}
