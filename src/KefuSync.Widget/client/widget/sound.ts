// Entry of dist/kefu-sound.js: the new-message beep, loaded by the widget (ui/widget/sound.ts) on its first beep. It
// hands its export over through one window event.
import { chime } from '../ui/widget/chime';
import { SOUND_MODULE_EVENT } from '../ui/widget/sound';

dispatchEvent(new CustomEvent(SOUND_MODULE_EVENT, { detail: chime }));
