// The error codes of docs/protocol.md §6 (C#: Protocol/ErrorCodes.cs): stable strings a client switches on. Nothing in
// client/ spells a code inline; protocol-doc.test.ts checks this table against the markdown, so code and spec cannot
// drift apart. Whether a code is retryable travels in each error frame (`retry`), so the client needs no table of it.
// An enum, not an object: esbuild inlines each value where it is used, so the widget's bundle carries no table.
export enum ErrorCode {
  BadFrame = 'bad_frame',
  UnknownType = 'unknown_type',
  NotReady = 'not_ready',
  UnsupportedVersion = 'unsupported_version',
  AuthFailed = 'auth_failed',
  Forbidden = 'forbidden',
  InvalidChannel = 'invalid_channel',
  InvalidOp = 'invalid_op',
  FutureBase = 'future_base',
  StaleBase = 'stale_base',
  TooLarge = 'too_large',
  RateLimited = 'rate_limited',
  LimitExceeded = 'limit_exceeded',
  Conflict = 'conflict',
  StoreUnavailable = 'store_unavailable',
}
