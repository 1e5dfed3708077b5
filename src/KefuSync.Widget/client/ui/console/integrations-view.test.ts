// @vitest-environment happy-dom
// The console's Integrations panel (issue 16): what it shows of the server's answers, and what it sends.
import { describe, expect, it } from 'vitest';
import { IntegrationsView, type AdminKey, type AdminWebhook } from './integrations-view';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

/** The element the selector names; the test fails when there is none. */
function q(root: ParentNode, selector: string): HTMLElement {
  const found = root.querySelector(selector);
  if (!(found instanceof HTMLElement)) throw new Error(`no ${selector}`);
  return found;
}

function input(root: ParentNode, selector: string): HTMLInputElement {
  const found = q(root, selector);
  if (!(found instanceof HTMLInputElement)) throw new Error(`${selector} is not an input`);
  return found;
}

function formOf(root: ParentNode): HTMLFormElement {
  const found = q(root, '[data-testid=int-form]');
  if (!(found instanceof HTMLFormElement)) throw new Error('no form');
  return found;
}

function server(keys: AdminKey[], hooks: AdminWebhook[], onPost?: (url: string, body: unknown) => Response) {
  const calls: Call[] = [];
  const json = (v: unknown, status = 200) => new Response(JSON.stringify(v), { status, headers: { 'Content-Type': 'application/json' } });
  const fetcher = (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({ url, init });
    if (init?.method === 'POST') return Promise.resolve(onPost?.(url, typeof init.body === 'string' ? JSON.parse(init.body) : undefined) ?? new Response(null, { status: 204 }));
    if (url.endsWith('/keys')) return Promise.resolve(json({ keys, scopes: ['conversations:read', 'messages:read', 'messages:write', 'conversations:write', 'visitors:read'] }));
    return Promise.resolve(json({ endpoints: hooks, events: ['conversation.created', 'message.created'] }));
  };
  return { calls, fetcher };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const optionsKey: AdminKey = { name: 'crm', role: 'agent', scopes: ['conversations:read'], source: 'options' };
const consoleKey: AdminKey = { name: 'zapier', role: 'bot', scopes: ['messages:read'], source: 'console', hint: 'kfs_AbCd', createdBy: 'agent:alice', createdAt: '2026-12-03T10:00:00Z' };
const paused: AdminWebhook = {
  name: 'crm',
  url: 'https://crm.example/hooks',
  state: 'Paused',
  delivered: 12,
  source: 'console',
  events: [],
  createdBy: 'agent:alice',
  createdAt: '2026-12-03T09:00:00Z',
  recentFailures: [
    { at: '2026-12-03T10:00:00Z', eventId: 'e1', attempt: 1, statusCode: 503, error: 'HTTP 503' },
    { at: '2026-12-03T10:00:02Z', eventId: 'e1', attempt: 2, error: 'connection refused' },
  ],
};

describe('IntegrationsView', () => {
  it('shows only the latest of overlapping loads, and is busy until it is in', async () => {
    // Refresh clicked twice: the first answer (older counts) arrives after the second.
    const answers: ((count: number) => void)[] = [];
    const fetcher = (url: string): Promise<Response> =>
      url.endsWith('/keys')
        ? Promise.resolve(new Response(JSON.stringify({ keys: [], scopes: ['messages:read'] })))
        : new Promise((resolve) => answers.push((delivered) => resolve(new Response(JSON.stringify({ endpoints: [{ ...paused, state: 'Running', delivered }] })))));
    const view = new IntegrationsView('/kefu', 'en', fetcher);
    void view.load();
    await settle();
    expect(answers.length).toBe(2);
    expect(view.element.dataset.busy).toBe('true');
    answers[1]?.(2); // the newer load answers first
    await settle();
    expect(q(view.element, '[data-testid=int-hook]').textContent).toContain('2 delivered');
    expect(view.element.dataset.busy).toBeUndefined();
    answers[0]?.(1); // the older one, late
    await settle();
    expect(q(view.element, '[data-testid=int-hook]').textContent).toContain('2 delivered');
    expect(view.element.dataset.busy).toBeUndefined();
  });

  it('lists keys (options ones without a revoke button) and endpoints with their failures', async () => {
    const { fetcher, calls } = server([optionsKey, consoleKey], [paused]);
    const view = new IntegrationsView('/kefu', 'en', fetcher);
    await settle();
    expect(calls.map((c) => c.url).sort()).toEqual(['/kefu/console/admin/keys', '/kefu/console/admin/webhooks']);
    const rows = [...view.element.querySelectorAll<HTMLElement>('[data-testid=int-key]')];
    expect(rows.map((r) => r.dataset.name)).toEqual(['crm', 'zapier']);
    expect(rows[0]?.querySelector<HTMLButtonElement>('[data-testid=int-revoke]')?.hidden).toBe(true);
    expect(rows[1]?.querySelector<HTMLButtonElement>('[data-testid=int-revoke]')?.hidden).toBe(false);
    expect(rows[1]?.textContent).toContain('kfs_AbCd…');
    expect(rows[1]?.textContent).toContain('Created by alice');
    const hook = view.element.querySelector<HTMLElement>('[data-testid=int-hook]');
    expect(hook?.dataset.state).toBe('paused');
    expect(hook?.querySelector<HTMLButtonElement>('[data-testid=int-resume]')?.hidden).toBe(false);
    // newest first, with the status or the error
    expect([...(hook?.querySelectorAll('[data-testid=int-failures] li') ?? [])].map((li) => li.textContent)).toEqual([
      expect.stringContaining('attempt 2: connection refused'),
      expect.stringContaining('attempt 1: HTTP 503'),
    ]);
  });

  it('creates with the chosen scopes and the admin header, and shows the secret once', async () => {
    let sent: unknown;
    const { fetcher, calls } = server([], [], (_url, body) => {
      sent = body;
      return new Response(JSON.stringify({ key: { ...consoleKey }, secret: 'kfs_secret-value' }), { status: 201 });
    });
    const view = new IntegrationsView('/kefu', 'en', fetcher);
    await settle();
    const form = formOf(view.element);
    input(form, '[data-testid=int-name]').value = 'zapier';
    input(form, '[data-testid="int-scope-messages:read"]').checked = true;
    form.requestSubmit();
    await settle();
    expect(sent).toEqual({ name: 'zapier', role: 'bot', scopes: ['messages:read'] });
    const post = calls.find((c) => c.init?.method === 'POST');
    expect(post?.url).toBe('/kefu/console/admin/keys');
    expect((post?.init?.headers as Record<string, string> | undefined)?.['X-Kefu-Admin']).toBe('1');
    expect(view.element.querySelector<HTMLInputElement>('[data-testid=int-secret-value]')?.value).toBe('kfs_secret-value');
    expect(input(form, '[data-testid=int-name]').value).toBe(''); // the form is cleared
  });

  it('adds an endpoint with the chosen events and shows its signing secret once; only console endpoints can be removed', async () => {
    let sent: unknown;
    const optionsHook: AdminWebhook = { ...paused, name: 'crm', state: 'Active', recentFailures: [], source: 'options', events: ['message.created'] };
    const { fetcher, calls } = server([], [optionsHook, { ...paused, name: 'zap' }], (url, body) => {
      sent = body;
      return url.endsWith('/webhooks') ? new Response(JSON.stringify({ name: 'slack', url: 'https://hooks.example/s', events: [], secret: 'whsec_abc' }), { status: 201 }) : new Response(null, { status: 204 });
    });
    const view = new IntegrationsView('/kefu', 'en', fetcher);
    await settle();
    const hooks = [...view.element.querySelectorAll<HTMLElement>('[data-testid=int-hook]')];
    expect(hooks.map((h) => q(h, '[data-testid=int-hook-remove]').hidden)).toEqual([true, false]);
    expect(hooks[0]?.textContent).toContain('message.created');
    expect(hooks[1]?.textContent).toContain('All events');
    const form = q(view.element, '[data-testid=int-hook-form]');
    input(form, '[data-testid=int-hook-name]').value = 'slack';
    input(form, '[data-testid=int-hook-url]').value = 'https://hooks.example/s';
    input(form, '[data-testid="int-event-conversation.created"]').checked = true;
    (form as HTMLFormElement).requestSubmit();
    await settle();
    expect(sent).toEqual({ name: 'slack', url: 'https://hooks.example/s', events: ['conversation.created'] });
    expect(calls.some((c) => c.url === '/kefu/console/admin/webhooks' && c.init?.method === 'POST')).toBe(true);
    expect(input(q(view.element, '[data-testid=int-hook-secret]'), '[data-testid=int-secret-value]').value).toBe('whsec_abc');
    expect(q(view.element, '[data-testid=int-secret]').hidden).toBe(true); // the keys' box stays empty
  });

  it("says the server's reason for a refusal and keeps the form", async () => {
    const { fetcher } = server([], [], () => new Response(JSON.stringify({ detail: "The name 'zapier' is taken." }), { status: 400 }));
    const view = new IntegrationsView('/kefu', 'zh-CN', fetcher);
    await settle();
    const form = formOf(view.element);
    input(form, '[data-testid=int-name]').value = 'zapier';
    form.requestSubmit();
    await settle();
    const status = q(view.element, '[data-testid=int-status]');
    expect(status.dataset.state).toBe('error');
    expect(status.textContent).toBe("未完成：The name 'zapier' is taken.");
    expect(input(form, '[data-testid=int-name]').value).toBe('zapier');
    expect(q(view.element, '[data-testid=int-secret]').hidden).toBe(true);
  });
});
