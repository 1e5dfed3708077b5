// Entry of dist/kefu-away.js: the offline form and the "back at" note, loaded by the widget (ui/widget/away-slot.ts)
// only when no agent is available. It hands its exports to the widget through one window event.
import { AwayPanel } from '../ui/widget/away-panel';
import { AWAY_MODULE_EVENT, type AwayModule } from '../ui/widget/away-slot';

const mod: AwayModule = { AwayPanel };
dispatchEvent(new CustomEvent<AwayModule>(AWAY_MODULE_EVENT, { detail: mod }));
