// This tab's presence states, and the heartbeat that keeps them alive: the server drops an entry one TTL after its
// last `presence` frame (protocol §2.1), so every state is sent again every ttl/3, and at once after each welcome (a
// new connection starts with no entries).

export class PresenceHeartbeat {
  private readonly states = new Map<string, unknown>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly send: (ch: string, s: unknown) => void) {}

  /** Sets (or with null removes) the state on `ch` and sends it now. */
  set(ch: string, s: unknown): void {
    if (s === null) this.states.delete(ch);
    else this.states.set(ch, s);
    this.send(ch, s);
  }

  /** The channel was detached: stop repeating its state (the server drops it with the subscription). */
  forget(ch: string): void {
    this.states.delete(ch);
  }

  /** A welcome: send every state now, then every ttl/3 (at least every second, whatever the server says). */
  resume(ttlMs: number): void {
    this.sendAll();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.sendAll(), Math.max(1000, Math.floor((ttlMs || 30000) / 3)));
  }

  /** Not connected: nothing to keep alive until the next welcome. */
  pause(): void {
    clearInterval(this.timer);
  }

  private sendAll(): void {
    for (const [ch, s] of this.states) this.send(ch, s);
  }
}
