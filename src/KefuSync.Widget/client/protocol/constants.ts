// The protocol version and the limits of docs/protocol.md that this client checks before it sends or parses a frame
// (C#: Protocol/ProtocolConstants.cs and the defaults of KefuSyncOptions.Limits). Checking them here, not only on the
// server, keeps a buggy or hostile tab from getting the shared socket closed for everyone (a too-large frame closes it
// with 1009).

/** `hello.v` / `welcome.v` (protocol §2.1). */
export const PROTOCOL_VERSION = 1;

/** Limits.MaxFrameBytes default (§7): a client frame at least this long is neither relayed nor sent. */
export const MAX_FRAME_CHARS = 65536;

/**
 * Server frames may be larger than client frames (history replies, snapshots of long documents); this caps what the
 * client is willing to parse, so a broken relay cannot make every tab parse megabytes.
 */
export const MAX_SERVER_FRAME_CHARS = 4 * 1024 * 1024;

/** `presence.s`: at most 1 KiB serialized (§2.1). */
export const MAX_PRESENCE_STATE_CHARS = 1024;

/** `history.n`: at most 200 ops per page (§2.1). */
export const MAX_HISTORY_OPS = 200;

/** `list.n`: at most 500 summaries (§2.1). */
export const MAX_LIST_ITEMS = 500;

/**
 * `sub.n` (a tail subscribe): the spec sets no maximum, the server clamps it. The client's own ceiling keeps a tab
 * from asking for an unbounded replay through the leader.
 */
export const MAX_SUB_TAIL = 1000;

