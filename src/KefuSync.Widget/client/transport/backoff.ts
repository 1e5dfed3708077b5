// Reconnect delays: exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
// delay = random(0, min(cap, base * 2^attempt)). Full jitter spreads a server restart's reconnect storm evenly.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 15000;

/** The delay before reconnect attempt `attempt` (0-based), in ms. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  base = BACKOFF_BASE_MS,
  cap = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.floor(random() * ceiling);
}
