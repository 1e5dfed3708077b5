// Errors the client makes itself, shaped like error frames so callers handle both alike. Their codes never travel on
// the wire, so they are not in protocol §6 (and the protocol-doc test does not look for them there).
import type { ErrorFrame } from '../protocol/server-frames';
import { isObj } from '../protocol/validation';

export const LocalErrorCode = {
  /** not connected, or the connection went before the reply came */
  Offline: 'offline',
  /** no reply within the request timeout */
  Timeout: 'timeout',
  /** a local failure without a code of its own (e.g. IndexedDB refused the write) */
  Failed: 'error',
} as const;

export type LocalErrorCode = (typeof LocalErrorCode)[keyof typeof LocalErrorCode];

/** A retryable error frame made by the client. */
export const localError = (code: LocalErrorCode, msg: string): ErrorFrame => ({ t: 'error', code, msg, retry: true });

/** The code of whatever a client call rejected with: an error frame's code, else `error`. */
export const errorCodeOf = (e: unknown): string => (isObj(e) && typeof e.code === 'string' ? e.code : LocalErrorCode.Failed);
