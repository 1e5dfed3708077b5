// Entry of dist/kefu-closed.js: the closed conversation's card (rating, comment, refusal), loaded by the widget
// (ui/widget/widget.ts, closed-slot.ts) only once a conversation it shows is closed. It hands its export over
// through one window event, named after the file.
import { closedCard } from '../ui/widget/closed-card';
import { CLOSED_MODULE_EVENT, type ClosedCard } from '../ui/widget/closed-slot';

dispatchEvent(new CustomEvent<ClosedCard>(CLOSED_MODULE_EVENT, { detail: closedCard }));
