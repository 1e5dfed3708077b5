// @vitest-environment happy-dom
// A failed message (issue 15, bug 4): why it failed, and what the visitor can do (kefu-failed.js).
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n';
import { failedEn, failedZhCN, why } from '../../i18n/failed';
import { MessageChannel } from '../../sync/message-channel';
import { op, stubClient } from '../../test/client-stub';
import { flush } from '../../test/fakes';
import { must } from '../../test/must';
import { createFailed } from './failed';
import { renderMessage } from './render';

/** A message refused with `code`, shown in a list item filled by kefu-failed.js's filler. */
async function failed(code: string, retry: boolean, lang: 'en' | 'zh-CN' = 'en') {
  const { client, sent } = stubClient();
  const ch = new MessageChannel(client, 'conv:c1');
  ch.op(op(1, { k: 'msg', text: 'hello', name: 'Alice', role: 'agent' }));
  const r = await ch.send('hi');
  ch.error({ t: 'error', code, msg: 'no', retry, c: 'tabA', ch: 'conv:c1', id: r.id });
  if (retry) for (let i = 0; i < 10; i++) ch.error({ t: 'error', code, msg: 'no', retry, c: 'tabA', ch: 'conv:c1', id: r.id });
  await flush();
  const m = must(ch.items('v1').find((x) => x.id === r.id));
  expect(m.status).toBe('failed');
  const input = document.createElement('textarea');
  const inputs: string[] = [];
  input.addEventListener('input', () => inputs.push(input.value));
  const li = renderMessage(m, en, 'en');
  const fill = createFailed(lang, () => ch, input);
  fill(li, m);
  fill(li, m); // asked again on the next render: filled once
  sent.length = 0;
  const click = async (id: string): Promise<void> => {
    (must(li.querySelector(`[data-testid="${id}"]`)) as HTMLButtonElement).click();
    await flush();
  };
  return { ch, li, input, inputs, sent, click };
}

describe('a failed message', () => {
  it('retryable (given up after the automatic resends): says why, and Retry sends it again under its id', async () => {
    const { ch, li, sent, click } = await failed('store_unavailable', true);
    expect(li.querySelectorAll('[data-testid="kefu-fail-reason"]')).toHaveLength(1);
    expect(must(li.querySelector('[data-testid="kefu-fail-reason"]')).textContent).toBe('the service is busy');
    expect(li.querySelector('[data-testid="kefu-edit"]')).toBeNull();
    await click('kefu-retry');
    expect(sent.filter((f) => f.t === 'submit')).toHaveLength(1);
    expect(ch.items('v1').at(-1)?.status).toBe('sending');
  });

  it('refused for good: no Retry (it would fail again); Edit puts the text back in the box and drops the message', async () => {
    const { ch, li, input, inputs, click } = await failed('invalid_op', false, 'zh-CN');
    expect(li.querySelector('[data-testid="kefu-retry"]')).toBeNull();
    expect(must(li.querySelector('[data-testid="kefu-fail-reason"]')).textContent).toBe(failedZhCN.why.invalid_op);
    await click('kefu-edit');
    expect(input.value).toBe('hi');
    expect(inputs).toEqual(['hi']); // the widget hears it as typing (its draft and counter follow)
    expect(ch.items('v1').map((x) => x.text)).toEqual(['hello']);
  });

  it('Discard drops it for good', async () => {
    const { ch, click } = await failed('forbidden', false);
    await click('kefu-discard');
    expect(ch.items('v1').map((x) => x.text)).toEqual(['hello']);
  });

  it('every error a submit can get has its own reason, in both languages', () => {
    for (const code of ['invalid_op', 'forbidden', 'too_large', 'limit_exceeded', 'rate_limited', 'store_unavailable', 'conflict']) {
      expect(why(failedEn, code)).not.toBe(failedEn.refused);
      expect(why(failedZhCN, code)).not.toBe(failedZhCN.refused);
    }
    expect(why(failedEn, 'something_new')).toBe(failedEn.refused);
    expect(Object.keys(failedZhCN).sort()).toEqual(Object.keys(failedEn).sort());
  });
});
