// WebSocket close codes of docs/protocol.md §6.1 (C#: Protocol/CloseCodes.cs). transport/connection.ts decides what
// each one means for reconnecting; protocol-doc.test.ts checks this table against the markdown. An enum, not an
// object: esbuild inlines each value where it is used, so the widget's bundle carries no table.

export enum CloseCode {
  Normal = 1000,
  GoingAway = 1001,
  /** a text message was not valid UTF-8: the server's WebSocket fails the connection (RFC 6455 §8.1); reconnect with backoff */
  InvalidPayload = 1007,
  TooBig = 1009,
  ProtocolError = 4400,
  AuthFailed = 4401,
  Forbidden = 4403,
  Timeout = 4408,
  Flood = 4429,
  SlowConsumer = 4503,
}
