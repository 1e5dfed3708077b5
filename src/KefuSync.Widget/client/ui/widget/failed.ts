// Why a message failed and what to do about it (kefu-failed.js, ui/widget/failed-slot.ts): the reason from the server's
// error code, then Retry for a retryable error (the same id: the server dedupes), Edit (the text back into the box)
// for one that would fail again, and Discard.
import type { Lang } from '../../i18n';
import { failedStrings, why } from '../../i18n/failed';
import { el } from './dom';
import type { MessageChannel } from '../../sync/message-channel';
import type { FailAction, FailedModule } from './failed-slot';

/** What a button does: Retry resends (same id); Edit puts the text back in the box; Edit and Discard drop it. */
export async function act(msgs: MessageChannel | null, input: HTMLTextAreaElement, id: string, a: FailAction): Promise<void> {
  if (!msgs) return;
  if (a === 'retry') return msgs.retry(id);
  const op = msgs.pending.find((r) => r.id === id)?.op as { text?: unknown } | undefined;
  if (a === 'edit' && typeof op?.text === 'string') {
    // half a surrogate pair (a broken paste) is what the server refused: shown as U+FFFD, to fix
    const t = (op.text as { toWellFormed?: () => string }).toWellFormed?.() ?? op.text;
    input.value = input.value ? `${t}\n${input.value}` : t;
    input.dispatchEvent(new Event('input'));
    input.focus();
  }
  await msgs.discard(id);
}

export const createFailed: FailedModule['create'] = (lang: Lang, msgs: () => MessageChannel | null, input: HTMLTextAreaElement) => {
  const s = failedStrings(lang);
  return (li, m) => {
    const meta = li.querySelector('.meta');
    if (!meta || meta.querySelector('.why')) return;
    meta.append(': ', el('span', { class: 'why', 'data-testid': 'kefu-fail-reason', 'data-code': m.err ?? '' }, why(s, m.err)));
    const acts: FailAction[] = [m.re ? 'retry' : 'edit', 'discard'];
    for (const a of acts) {
      if (a === 'edit' && !m.text) continue;
      const b = el('button', { type: 'button', class: `act ${a}`, 'data-testid': `kefu-${a}` }, s[a]);
      b.addEventListener('click', () => void act(msgs(), input, m.id, a));
      meta.append(' ', b);
    }
  };
};
