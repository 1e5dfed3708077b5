// A tiny typed event emitter (no DOM EventTarget, so the sync library runs in workers and tests alike).
export class Emitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly map = new Map<keyof E, Set<E[keyof E]>>();

  on<K extends keyof E>(type: K, fn: E[K]): () => void {
    let set = this.map.get(type);
    if (!set) {
      set = new Set();
      this.map.set(type, set);
    }
    const listeners = set;
    listeners.add(fn);
    return () => listeners.delete(fn);
  }

  protected emit<K extends keyof E>(type: K, ...args: Parameters<E[K]>): void {
    const set = this.map.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (...a: Parameters<E[K]>) => void)(...args);
      } catch (e) {
        // One faulty listener must not break the sync loop.
        setTimeout(() => {
          throw e;
        });
      }
    }
  }
}

/** A random id of `n` characters from [A-Za-z0-9_-] (valid as a protocol client id). */
export function randomId(n = 16): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += abc.charAt(b & 63);
  return s;
}
