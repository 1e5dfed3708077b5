// Routes one validated server frame to whoever it concerns: channel frames to the channel's handler, `ack` and
// `error` only when they name this tab's logical client (the leader relays every frame to every tab), replies to the
// request they answer. Nothing here changes state itself, so the routing rules can be read in one screen.
import type { ErrorFrame, ServerFrame } from '../protocol/server-frames';
import type { ChannelHandler } from './channel-handler';
import type { RequestTracker } from './request-tracker';

export interface DispatchTargets {
  /** this tab's logical client id (`c`) */
  readonly tabId: string;
  handler(ch: string): ChannelHandler | undefined;
  readonly requests: RequestTracker | undefined;
  /** an error about this tab that no request or attached channel claims (connection-level, or a detached channel) */
  unclaimed(f: ErrorFrame): void;
}

export class FrameDispatcher {
  constructor(private readonly to: DispatchTargets) {}

  dispatch(f: ServerFrame): void {
    switch (f.t) {
      case 'op':
        this.to.handler(f.ch)?.op(f);
        break;
      case 'snapshot':
        this.to.handler(f.ch)?.snapshot(f);
        break;
      case 'subbed':
        this.to.handler(f.ch)?.subbed(f);
        break;
      case 'presence':
        this.to.handler(f.ch)?.presence(f);
        break;
      case 'ack':
        if (f.c === this.to.tabId) this.to.handler(f.ch)?.ack(f);
        break;
      case 'history':
      case 'list':
        this.to.requests?.reply(f);
        break;
      case 'error': {
        if (f.c && f.c !== this.to.tabId) break;
        if (this.to.requests?.fail(f)) break;
        const h = f.ch ? this.to.handler(f.ch) : undefined;
        if (h) h.error(f);
        else this.to.unclaimed(f);
        break;
      }
      default:
        // welcome is the connection's, pong never leaves it
        break;
    }
  }
}
