// Entry of the agent console (dist/kefu-console.js), loaded by the page `{prefix}/console` that the server renders
// only for agents. Configuration comes from this script's data- attributes (CSP: nothing inline):
//   data-kefu-endpoint   the KefuSync prefix incl. PathBase, e.g. /kefu or /shop/kefu
//   data-kefu-version    client version, sent in hello
//   data-kefu-site       site name shown in the header
//   data-kefu-lang       auto | zh-CN | en (the agent's own choice, kept in localStorage, wins)
//   data-kefu-hours      the configured business hours as JSON, with `edit`: whether agents may change them
//   data-kefu-admin      1 for an admin (KefuSync:AdminPolicy): the Integrations panel is offered
import { pickLang, type Lang } from '../i18n';
import { KefuClient } from '../sync/kefu-client';
import { fallbackLinks } from '../transport/fallback-links';
import { RequestTracker } from '../sync/request-tracker';
import { ConsoleApp } from '../ui/console/app';
import { parseHours, type HoursValue } from '../ui/console/hours-view';
import { browserLanguages, documentBody } from '../util/env';

declare global {
  interface Window {
    KefuConsole?: ConsoleApp;
  }
}

const script = document.currentScript as HTMLScriptElement | null;
const attr = (name: string): string | null => script?.getAttribute(`data-kefu-${name}`) ?? null;
const LANG_KEY = 'kefu:console:lang';

function readHours(json: string | null): { value: HoursValue | null; edit: boolean } {
  try {
    const v = JSON.parse(json ?? 'null') as { edit?: unknown } | null;
    return { value: parseHours(v), edit: v?.edit === true };
  } catch {
    return { value: null, edit: false };
  }
}

function boot(): void {
  if (window.KefuConsole) return;
  const endpoint = (attr('endpoint') || '/kefu').replace(/\/+$/, '');
  let stored: string | null;
  try {
    stored = localStorage.getItem(LANG_KEY);
  } catch {
    stored = null; // storage blocked: the page's language
  }
  const lang: Lang = pickLang(stored || attr('lang'), null, browserLanguages());
  const client = new KefuClient({
    endpoint,
    version: attr('version') || '0.0.0',
    agent: true,
    requests: RequestTracker,
    // the agent's socket never carries (or overwrites) a visitor token of this browser
    storage: null,
    // the console bundles the fallback links (it has no size budget of the widget's kind)
    linkEnv: { fallback: () => Promise.resolve(fallbackLinks) },
  });
  const mount = document.getElementById('kefu-console') ?? document.body.appendChild(document.createElement('div'));
  window.KefuConsole = new ConsoleApp(mount, client, {
    endpoint,
    site: attr('site') || 'KefuSync',
    lang,
    hours: readHours(attr('hours')),
    admin: attr('admin') === '1',
    switchLang(next) {
      try {
        localStorage.setItem(LANG_KEY, next);
      } catch {
        // ignore
      }
      location.reload();
    },
  });
  addEventListener('pagehide', () => client.stop());
  addEventListener('pageshow', (e) => {
    if (e.persisted) client.start();
  });
  client.start();
}

if (documentBody()) boot();
else addEventListener('DOMContentLoaded', boot, { once: true });
