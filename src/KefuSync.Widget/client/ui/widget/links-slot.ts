// The main bundle's side of links in messages: widget.ts tests the text cheaply, and kefu-links.js (ui/links/linkify.ts),
// loaded the first time a message looks like it holds a link, turns them into <a> elements.

export const LINKS_MODULE_EVENT = 'kefu-links.js';

/** Fills the message bubbles of a list not filled yet (marked data-l once done; a redraw replaces the bubble's text). */
export type LinksModule = (list: HTMLElement) => void;
