// Entry of dist/kefu-fallback.js: the event-stream and long-poll links, loaded by the widget (widget/index.ts) only
// when WebSocket fails. It hands them to the widget through one window event.
import { fallbackLinks } from '../transport/fallback-links';
import { FALLBACK_MODULE_EVENT, type FallbackLinks } from '../transport/links';

dispatchEvent(new CustomEvent<FallbackLinks>(FALLBACK_MODULE_EVENT, { detail: fallbackLinks }));
