// Entry of dist/kefu-peek.js: a proactive message's card on a phone, loaded by the widget (ui/widget/widget.ts,
// peek-slot.ts) with the first agent message that would otherwise open the chat over the whole page. It hands its
// export over through one window event, named after the file.
import { showPeek } from '../ui/widget/peek-card';
import { PEEK_MODULE_EVENT, type PeekModule } from '../ui/widget/peek-slot';

dispatchEvent(new CustomEvent<PeekModule>(PEEK_MODULE_EVENT, { detail: showPeek }));
