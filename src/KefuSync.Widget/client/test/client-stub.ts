import { KefuClient } from '../sync/kefu-client';
import { RequestTracker } from '../sync/request-tracker';
import type { TabFrame } from '../protocol/client-frames';
import { BusHub } from './fakes';

/** A KefuClient that looks connected and records what it would send. */
export function stubClient(tabId = 'tabA') {
  const client = new KefuClient({ endpoint: '/kefu', version: '1', tabId, busPort: new BusHub().port, requests: RequestTracker });
  const sent: TabFrame[] = [];
  client.state = 'open';
  client.send = (f: TabFrame) => {
    sent.push(f);
    return true;
  };
  return { client, sent };
}

export const op = (rev: number, o: unknown, id = `x-${rev}`, by = 'agent1') => ({ t: 'op' as const, ch: 'conv:c1', rev, id, by, ts: 1700000000000 + rev, op: o });
