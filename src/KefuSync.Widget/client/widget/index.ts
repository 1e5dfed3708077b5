// Entry of the visitor widget (dist/kefu-widget.js). Configuration comes from this script's own data- attributes,
// rendered by the <kefu-widget /> tag helper (CSP: nothing inline):
//   data-kefu-endpoint   the KefuSync prefix incl. PathBase, e.g. /kefu or /shop/kefu (required)
//   data-kefu-version    client version, sent in hello
//   data-kefu-token      signed visitor token (optional; preferred over the stored one)
//   data-kefu-lang       auto | zh-CN | en
//   data-kefu-position   right | left
//   data-kefu-color      accent colour
//   data-kefu-title      window title
//   data-kefu-site       site name shown in the header
//   data-kefu-mode       widget (launcher + popup) | page (full page, {endpoint}/chat)
//   data-kefu-transport  auto | ws | sse | poll (force a fallback)
import { en, pickLang, type Strings } from '../i18n';
import { KefuClient } from '../sync/kefu-client';
import { openOutboxStore } from '../sync/idb-store';
import { Widget, type WidgetConfig } from '../ui/widget/widget';
import type { TransportMode } from '../transport/connection';
import type { FallbackLinks } from '../transport/links';
import { loadModule } from '../ui/widget/lazy-module';
import { browserLanguages, documentBody, isCssColor } from '../util/env';

export interface KefuSyncApi {
  open(): void;
  close(): void;
  toggle(): void;
  /** whether the chat window is open */
  readonly isOpen: boolean;
  /** the sync client (advanced use, tests) */
  readonly client: KefuClient;
}

declare global {
  interface Window {
    KefuSync?: KefuSyncApi;
  }
}

const script = document.currentScript as HTMLScriptElement | null;

function attr(name: string): string | null {
  return script?.getAttribute(`data-kefu-${name}`) ?? null;
}

let fallback: Promise<FallbackLinks> | undefined;

async function boot(): Promise<void> {
  if (window.KefuSync) return; // included twice
  const endpoint = (attr('endpoint') || '/kefu').replace(/\/+$/, '');
  const t = attr('transport');
  const transport: TransportMode = t === 'sse' || t === 'ws' || t === 'poll' ? t : 'auto';
  const cfg: WidgetConfig = {
    endpoint,
    lang: pickLang(attr('lang'), document.documentElement.lang, browserLanguages()),
    position: attr('position') === 'left' ? 'left' : 'right',
    color: validColor(attr('color')),
    title: attr('title') ?? undefined,
    site: attr('site') ?? undefined,
    mode: attr('mode') === 'page' ? 'page' : 'widget',
    css: script?.src ? new URL('kefu-widget.css', script.src).href : undefined,
    script: script?.src || undefined,
    nonce: script?.nonce || undefined,
    token: attr('token') || undefined,
  };
  // zh-CN strings come as kefu-zh.js, while IndexedDB opens; English if it cannot load (blocked, offline)
  const zh = cfg.lang === 'zh-CN' ? loadModule<Strings>('zh', { src: cfg.script, nonce: cfg.nonce }).catch(() => en) : en;
  const [outboxStore, strings] = await Promise.all([openOutboxStore(), zh]);
  cfg.strings = strings;
  const client = new KefuClient({
    endpoint,
    version: attr('version') || '0.0.0',
    token: cfg.token,
    transport,
    // The fallback links load only when WebSocket fails (kefu-fallback.js), once; a failed load is tried again later.
    linkEnv: { fallback: () => (fallback ??= loadModule<FallbackLinks>('fallback', { src: cfg.script, nonce: cfg.nonce }).catch((e: unknown) => {
      fallback = undefined;
      throw e;
    })) },
    outboxStore,
  });
  const widget = new Widget(client, cfg);
  document.body.append(widget.host);
  window.KefuSync = {
    open: () => widget.open(),
    close: () => widget.close(),
    toggle: () => (widget.opened ? widget.close() : widget.open()),
    get isOpen() {
      return widget.opened;
    },
    client,
  };
  addEventListener('pagehide', () => client.stop());
  addEventListener('pageshow', (e) => {
    if (e.persisted) client.start(); // back from the bfcache
  });
  client.start();
  dispatchEvent(new CustomEvent('kefu:ready'));
}

function validColor(c: string | null): string | undefined {
  if (!c) return undefined;
  return isCssColor(c) ? c : undefined;
}

if (documentBody()) void boot();
else addEventListener('DOMContentLoaded', () => void boot(), { once: true });
