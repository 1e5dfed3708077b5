// The three-state OT client (ot.js / Jupiter style), pure: no I/O, no timers, no randomness. The caller sends and
// receives frames; this class decides what to send and what to apply. C# twin: tests/Shared/OtClient.cs.
//
// Invariants:
// - at most one op in flight (`outstanding`), and at most one more composed local op waiting behind it (`buffer`);
// - `revision` is the last server revision applied locally; the outstanding op is expressed against `revision`
//   (it is transformed forward whenever a server op is applied), so a resend after reconnect uses base `revision`;
// - every op handed out for sending carries a client op id minted once; resending the same outstanding op reuses the
//   id, so the server dedupes it;
// - ties: a server op is transformed as the first operand (transform(serverOp, pending)), so the committed op's
//   insert goes first, as on the server;
// - after every step, local document === apply(buffer, apply(outstanding, serverDocument(revision))).
import { TextOperation, compose, transform, transformIndex } from './text-operation';

export type OtClientState = 'synchronized' | 'awaitingConfirm' | 'awaitingWithBuffer';

/** What to send: `submit` with `id`, base `rev` and `op`. */
export interface OtSubmit {
  readonly id: string;
  readonly rev: number;
  readonly op: TextOperation;
}

/** A selection in the local document; a cursor has anchor === head. */
export interface OtSelection {
  readonly anchor: number;
  readonly head: number;
}

/** Moves a selection through op (both ends with transformIndex's default tie rule). */
export function transformSelection(op: TextOperation, sel: OtSelection): OtSelection {
  return { anchor: transformIndex(op, sel.anchor), head: transformIndex(op, sel.head) };
}

export class OtClient {
  private rev: number;
  private outstandingOp: OtSubmit | null = null;
  private bufferOp: TextOperation | null = null;
  private counter: number;

  /**
   * @param revision the revision of the document the editor shows (0 for an empty channel)
   * @param idPrefix prefix of the client op ids, e.g. the logical client id: ids are `${idPrefix}-${n}`
   * @param firstCounter the first n (restore it when ids must stay unique across reloads)
   */
  constructor(revision: number, private readonly idPrefix: string, firstCounter = 1) {
    this.rev = revision;
    this.counter = firstCounter;
  }

  get revision(): number {
    return this.rev;
  }

  get state(): OtClientState {
    return this.outstandingOp === null ? 'synchronized' : this.bufferOp === null ? 'awaitingConfirm' : 'awaitingWithBuffer';
  }

  /** The op in flight: what to (re)send after a reconnect, with the same id. Null when synchronized. */
  get outstanding(): OtSubmit | null {
    return this.outstandingOp;
  }

  /** The local edits waiting behind the outstanding op. */
  get buffer(): TextOperation | null {
    return this.bufferOp;
  }

  /** The next counter value (persist it with the outbox to keep ids unique across reloads). */
  get nextCounter(): number {
    return this.counter;
  }

  /**
   * A local edit, already applied to the local document. Returns true when it became the outstanding op: send
   * `outstanding` now. Returns false when it was buffered behind the op in flight.
   */
  applyClient(op: TextOperation): boolean {
    if (this.outstandingOp === null) {
      this.outstandingOp = this.mint(op);
      return true;
    }
    this.bufferOp = this.bufferOp === null ? op : compose(this.bufferOp, op);
    return false;
  }

  /**
   * Folds the buffer into the outstanding op, keeping its id. Only for an op that never left the page (the caller
   * knows): the server cannot hold that id, so its content may still change. An op left changing nothing is dropped.
   */
  absorb(): void {
    const out = this.outstandingOp;
    if (out === null) return;
    const op = this.bufferOp === null ? out.op : compose(out.op, this.bufferOp);
    this.bufferOp = null;
    this.outstandingOp = op.isNoop() ? null : { id: out.id, rev: out.rev, op };
  }

  /**
   * A remote op committed at `revision + 1`. Returns the op to apply to the local document (transformed past the
   * local pending edits).
   */
  applyServer(op: TextOperation): TextOperation {
    this.rev++;
    const out = this.outstandingOp;
    if (out === null) return op;
    const [op1, outPrime] = transform(op, out.op);
    this.outstandingOp = { id: out.id, rev: this.rev, op: outPrime };
    if (this.bufferOp === null) return op1;
    const [op2, bufPrime] = transform(op1, this.bufferOp);
    this.bufferOp = bufPrime;
    return op2;
  }

  /**
   * The server committed the outstanding op (an `ack`, or its own `op` echoed with the same id). Returns the next op to
   * send (the buffer, now outstanding with a new id), or null.
   */
  serverAck(): OtSubmit | null {
    if (this.outstandingOp === null) throw new Error('serverAck without an outstanding operation');
    this.rev++;
    this.outstandingOp = this.bufferOp === null ? null : this.mint(this.bufferOp);
    this.bufferOp = null;
    return this.outstandingOp;
  }

  /**
   * Takes over the pending edits of a client that is gone (a closed page, saved by text-channel.ts): `out` was expressed
   * against `revision` and keeps its id, so resending it is deduped; `buf` waits behind it.
   */
  resume(out: OtSubmit | null, buf: TextOperation | null): void {
    this.outstandingOp = out ?? (buf && this.mint(buf));
    this.bufferOp = out && buf;
  }

  /**
   * Moves a selection reported by another user at `revision` (a position in the server's document) into the local
   * document, past the local pending edits.
   */
  transformRemoteSelection(sel: OtSelection): OtSelection {
    let s = sel;
    if (this.outstandingOp !== null) s = transformSelection(this.outstandingOp.op, s);
    if (this.bufferOp !== null) s = transformSelection(this.bufferOp, s);
    return s;
  }

  private mint(op: TextOperation): OtSubmit {
    return { id: `${this.idPrefix}-${this.counter++}`, rev: this.rev, op };
  }
}
