// Shape rules for the identifiers on the wire, docs/protocol.md §2 (C#: Protocol/Identifiers.cs). Every frame
// from the socket, the SSE fallback or another tab is checked with these before anything uses it.
/** Logical client id `c`: 1–64 of `[A-Za-z0-9_-]`. */
const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/**
 * Client op id `id`: 1–64 printable ASCII characters. Printable here means 0x21–0x7E, without the space, exactly as
 * the server's Identifiers.IsOpId: an id the server would refuse is refused before it reaches the socket.
 */
const OP_ID = /^[\x21-\x7e]{1,64}$/;

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isStr = (v: unknown): v is string => typeof v === 'string';
/** An optional string member: absent, null or a string. */
export const optStr = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';

export const isClientId = (v: unknown): v is string => typeof v === 'string' && CLIENT_ID.test(v);
export const isOpId = (v: unknown): v is string => typeof v === 'string' && OP_ID.test(v);
/** A revision (or a count): a safe integer ≥ 0. */
export const isRev = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** Request id `q`: the same rule as a client op id (Identifiers.IsQuery). */
export const isQuery = isOpId;
