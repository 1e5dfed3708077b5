// Browser objects that lib.dom types as always present but that real pages can lack: document.body while a script in
// <head> runs, navigator.languages in some embedded WebViews, navigator.locks outside a secure context, location and
// navigator outside a window (workers, tests), CSS.supports in old engines. Typed honestly here, so the checks callers
// make are checks the type system (and the linter) can see.

/** The page's body, or null while the document is still parsing the head. */
export const documentBody = (): HTMLElement | null => document.body;

/** The user's languages, most preferred first. */
export function browserLanguages(): readonly string[] {
  const langs = navigator.languages as readonly string[] | undefined;
  return langs ?? [navigator.language];
}

/** Web Locks, when this context has them. */
export function webLocks(): LockManager | null {
  const nav = globalThis.navigator as { locks?: LockManager } | undefined;
  return nav?.locks ?? null;
}

/** The page's URL, when there is a page. */
export function pageHref(): string | undefined {
  const loc = globalThis.location as Location | undefined;
  return loc?.href;
}

/** Whether `value` is a CSS colour this browser understands (false where CSS.supports is missing). */
export function isCssColor(value: string): boolean {
  const css = globalThis.CSS as { supports?: (property: string, value: string) => boolean } | undefined;
  return css?.supports?.('color', value) ?? false;
}

/** localStorage, or null where it is missing (workers) or blocked (reading it throws in some privacy modes). */
export function localStorageOrNull(): Storage | null {
  try {
    const ls = globalThis.localStorage as Storage | undefined;
    return ls ?? null;
  } catch {
    return null;
  }
}

/** Whether the browser says it has no network (navigator.onLine false); false where there is no navigator. */
export const isOffline = (): boolean => (globalThis.navigator as Navigator | undefined)?.onLine === false;
