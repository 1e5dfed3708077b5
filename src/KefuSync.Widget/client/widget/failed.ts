// Entry of dist/kefu-failed.js: the reason and the buttons of a failed message, loaded by the widget
// (ui/widget/widget.ts, failed-slot.ts) only once a message fails. It hands its exports over through one window event.
import { createFailed } from '../ui/widget/failed';
import { FAILED_MODULE_EVENT, type FailedModule } from '../ui/widget/failed-slot';

const mod: FailedModule = { create: createFailed };
dispatchEvent(new CustomEvent<FailedModule>(FAILED_MODULE_EVENT, { detail: mod }));
