// Channel names, docs/protocol.md §3 (C#: Protocol/ChannelName.cs and ChannelKind.cs): `kind:key` or one of the two
// fixed names. Views build names with these functions rather than by pasting prefixes, so a kind is spelled once.

/** At most 128 characters from `[A-Za-z0-9:_.-]`. */
const CHANNEL = /^[A-Za-z0-9:_.-]{1,128}$/;

/**
 * The shape rule only. Whether the kind exists and the principal may use it is the server's to say (`invalid_channel`,
 * `forbidden`): a client that knew fewer kinds than its server must still relay the frames of the newer ones.
 */
export const isChannel = (v: unknown): v is string => typeof v === 'string' && CHANNEL.test(v);

/** `conv:KEY`: the messages of one conversation (message ops, §4.2). */
export const conversationChannel = (key: string): string => `conv:${key}`;
/** `vdraft:KEY`: the visitor's unsent input (OT text), which agents see as a typing preview. */
export const visitorDraftChannel = (key: string): string => `vdraft:${key}`;
/** `draft:KEY`: the agents' shared reply draft (OT text). */
export const draftChannel = (key: string): string => `draft:${key}`;
/** `note:KEY`: a conversation's internal notes (OT text). */
export const noteChannel = (key: string): string => `note:${key}`;
/** `canned:NAME`: one canned reply (OT text). */
export const cannedChannel = (name: string): string => `canned:${name}`;
/** Conversation summaries, written by the server only (§4.3). */
export const INBOX_CHANNEL = 'inbox';
/** Presence only: visitors on the site and agents online. */
export const SITE_CHANNEL = 'site';
