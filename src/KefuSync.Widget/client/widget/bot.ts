// Entry of dist/kefu-bot.js: the handover line and the "Talk to a person" button, loaded by the widget
// (ui/widget/widget.ts, bot-slot.ts) only once a conversation shows a bot's message or a handover. It hands its exports
// over through one window event.
import { createBot } from '../ui/widget/bot';
import { BOT_MODULE_EVENT, type BotModule } from '../ui/widget/bot-slot';

const mod: BotModule = { create: createBot };
dispatchEvent(new CustomEvent<BotModule>(BOT_MODULE_EVENT, { detail: mod }));
