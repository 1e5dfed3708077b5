// Binds a <textarea> to a TextChannel: every input is a diff op on the shared document; every remote op rewrites
// the value and moves the local selection through the op (an insert at the caret stays after it, so two agents
// typing at the same spot each keep their own words together).
import { transformIndex, type TextOperation } from '../../ot/text-operation';
import type { TextChannel } from '../../sync/text-channel';
import { diffOp } from '../../sync/text-diff';

export interface TextBinding {
  /** sets the whole value as a local edit (e.g. a canned reply expansion), with the caret at `caret` */
  set(value: string, caret?: number): void;
  unbind(): void;
}

export function bindTextarea(
  ta: HTMLTextAreaElement,
  channel: TextChannel,
  hooks: { local?(op: TextOperation): void; remote?(op: TextOperation | null, id?: string): void } = {},
): TextBinding {
  ta.value = channel.doc;
  const localEdit = (): void => {
    if (ta.value === channel.doc) return;
    const op = diffOp(channel.doc, ta.value);
    channel.edit(ta.value);
    hooks.local?.(op);
  };
  const onInput = (): void => localEdit();
  ta.addEventListener('input', onInput);
  const off = channel.on('change', (doc, op, id) => {
    if (ta.value !== doc) {
      const focused = ta.ownerDocument.activeElement === ta;
      let a = ta.selectionStart;
      let b = ta.selectionEnd;
      if (op && op.baseLength === ta.value.length) {
        a = transformIndex(op, Math.min(a, op.baseLength), false);
        b = transformIndex(op, Math.min(b, op.baseLength), false);
      } else {
        a = b = doc.length;
      }
      ta.value = doc;
      if (focused) ta.setSelectionRange(a, b);
    }
    hooks.remote?.(op, id);
    // after a snapshot the channel re-applies edits it could not confirm: show them once it has
    if (op === null) queueMicrotask(() => ta.value !== channel.doc && ((ta.value = channel.doc), hooks.remote?.(null)));
  });
  return {
    set(value, caret) {
      ta.value = value;
      if (caret !== undefined) ta.setSelectionRange(caret, caret);
      localEdit();
    },
    unbind() {
      ta.removeEventListener('input', onInput);
      off();
    },
  };
}
