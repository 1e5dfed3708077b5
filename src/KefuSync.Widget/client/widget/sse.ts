// Entry of dist/kefu-sse.js: the SSE + POST fallback link, loaded by the widget (widget/index.ts, lazyLink) only when
// WebSockets do not get through. It hands its opener over through one window event.
import { openFallback } from '../transport/fallback';
import { SSE_MODULE_EVENT } from '../transport/links';

dispatchEvent(new CustomEvent(SSE_MODULE_EVENT, { detail: openFallback }));
