// Loads one of the widget's lazily loaded scripts (kefu-away.js, kefu-files.js) beside the widget's own, with its CSP
// nonce (the host's strict `script-src 'nonce-…'` allows nothing else), and resolves with what the script hands over
// in its window event, which is named after the file (`kefu-away.js`: each *_MODULE_EVENT constant is its file's
// name, so the bundle carries one string per script). Rejects when there is no script URL (`new URL` throws) or the
// script fails to load (offline, blocked). Terse: it is part of the bundle every visitor loads.
export function loadModule<T>(file: string, script: { src: string | undefined; nonce: string | undefined }): Promise<T> {
  return new Promise((resolve, reject) => {
    const sc = document.createElement('script');
    sc.src = new URL(file, script.src).href;
    if (script.nonce) sc.nonce = script.nonce;
    const on = (e: Event): void => resolve((e as CustomEvent<T>).detail);
    addEventListener(file, on, { once: true });
    sc.onerror = (): void => {
      removeEventListener(file, on);
      sc.remove();
      reject(new Error(file));
    };
    document.head.append(sc);
  });
}
