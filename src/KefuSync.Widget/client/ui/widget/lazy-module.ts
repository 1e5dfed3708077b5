// Loads one of the widget's lazily loaded scripts (`name` "away" is kefu-away.js, which hands its exports over in the
// window event "kefu:away-module"; every *-slot.ts names its event so) beside the widget's own, with its CSP
// nonce (the host's strict `script-src 'nonce-…'` allows nothing else), and resolves with what the script hands over
// in its window event. Rejects when there is no script URL (`new URL` throws) or the script fails to load (offline,
// blocked). Terse: it is part of the bundle every visitor loads.
export function loadModule<T>(name: string, script: { src?: string | undefined; nonce?: string | undefined }): Promise<T> {
  return new Promise((resolve, reject) => {
    const file = `kefu-${name}.js`;
    const event = `kefu:${name}-module`;
    const sc = document.createElement('script');
    sc.src = new URL(file, script.src).href;
    if (script.nonce) sc.nonce = script.nonce;
    const on = (e: Event): void => resolve((e as CustomEvent<T>).detail);
    addEventListener(event, on, { once: true });
    sc.onerror = (): void => {
      removeEventListener(event, on);
      sc.remove();
      reject(new Error(file));
    };
    document.head.append(sc);
  });
}
