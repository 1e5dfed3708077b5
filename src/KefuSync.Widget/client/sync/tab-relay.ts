// One socket per browser: the leader tab owns the connection, the other tabs speak through it over the tab bus.
// Up: a follower's frame goes to the leader, which validates it again (a tab may only speak for itself) before it
// reaches the socket. Down: the leader passes every server frame on as the text the server sent, and each tab parses
// and validates it itself, so a forged bus message is no more trusted than a frame from the network. The leader also
// tells the tabs the connection state (with the welcome), which is how a follower knows it can send.
import { validateTabFrame, type TabFrame } from '../protocol/client-frames';
import { parseServerFrame, type ServerFrame, type WelcomeFrame } from '../protocol/server-frames';
import type { ConnState } from '../transport/connection';
import type { BusBody, BusMessage } from './tab-bus';

export interface RelayTargets {
  post(body: BusBody): void;
  isLeader(): boolean;
  /** leader: put a frame (a follower's, validated) onto the socket */
  sendNow(f: TabFrame): boolean;
  /** follower: a server frame the leader passed on */
  dispatch(f: ServerFrame): void;
  /** follower: the leader's connection state; `welcome` when open */
  leaderState(from: string, state: ConnState, welcome: WelcomeFrame | null): void;
  /** some tab changed the outbox */
  outboxChanged(): void;
  /** leader: another tab asks for a drain (it put a file into the outbox) */
  drain(): void;
}

export class TabRelay {
  constructor(private readonly to: RelayTargets) {}

  /** Follower: asks the leader to send `f`. */
  up(f: TabFrame): void {
    this.to.post({ k: 'up', f });
  }

  /** Leader: passes a server frame's text on to every tab. */
  down(text: string): void {
    this.to.post({ k: 'down', d: text });
  }

  /** Leader: tells every tab the connection state. */
  announce(state: ConnState, welcomeText: string): void {
    this.to.post(state === 'open' ? { k: 'state', s: 'open', w: welcomeText } : { k: 'state', s: state });
  }

  /** Tells the other tabs that the outbox changed (they re-read their pending messages). */
  outboxChanged(): void {
    this.to.post({ k: 'ob' });
  }

  /** The relay part of the tab bus: `up`, `down`, `state`, `ob`, `dr`. */
  receive(m: BusMessage): void {
    switch (m.k) {
      case 'up':
        if (this.to.isLeader()) {
          // validated again here (the bus validated it too): the leader is the last line before the socket
          const f = validateTabFrame(m.f, m.from);
          if (f) this.to.sendNow(f);
        }
        break;
      case 'down':
        if (!this.to.isLeader()) {
          const f = parseServerFrame(m.d);
          if (f) this.to.dispatch(f);
        }
        break;
      case 'state':
        if (!this.to.isLeader()) {
          const w = m.s === 'open' && m.w ? parseServerFrame(m.w) : null;
          this.to.leaderState(m.from, m.s, w?.t === 'welcome' ? w : null);
        }
        break;
      case 'ob':
        this.to.outboxChanged();
        break;
      case 'dr':
        if (this.to.isLeader()) this.to.drain();
        break;
      default:
        break;
    }
  }
}
