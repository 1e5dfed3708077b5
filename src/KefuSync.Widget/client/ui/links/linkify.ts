// Links in message text (kefu-links.js, loaded by the widget once a message looks like it holds one: links-slot.ts).
// Only http:, https: and www. (as https:) become links; anything else (javascript:, data:, mailto:) stays text. Built
// with DOM nodes: the text around a link stays a text node, the link's text is a text node, its href is set only after
// the URL parser said it is http(s).

/** A link found in a text: [start, end) of its text, and its href. */
export interface FoundLink {
  start: number;
  end: number;
  href: string;
}

// Stops at white space, quotes and angle brackets, and at CJK/full-width punctuation ("见https://a.cn/x。谢谢").
const CANDIDATE = /(?:https?:\/\/|www\.)[^\s<>"\u3000-\u303f\uff00-\uffef]+/gi;
// punctuation that ends a sentence rather than a URL
const TRAILING = /[.,;:!?'*_~]$/;
const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

const count = (s: string, c: string): number => s.split(c).length - 1;

/** The links in `text`, in order. */
export function findLinks(text: string): FoundLink[] {
  const out: FoundLink[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const start = m.index;
    // "xhttps://…", "a@www.x.com", "/www.x": inside another word, not a link of its own
    if (start > 0 && /[\w@./:-]/.test(text.charAt(start - 1))) continue;
    let url = m[0];
    // trailing punctuation, and a closing bracket with no opening one in the URL ("(see https://x.com/a)")
    for (;;) {
      const last = url.charAt(url.length - 1);
      const open = PAIRS[last];
      if (TRAILING.test(last) || (open !== undefined && count(url, last) > count(url, open))) url = url.slice(0, -1);
      else break;
    }
    const href = toHref(url);
    if (href) out.push({ start, end: start + url.length, href });
  }
  return out;
}

/** The href of a link's text, or null when it is not an http(s) URL with a host. */
export function toHref(text: string): string | null {
  let u: URL;
  try {
    u = new URL(/^www\./i.test(text) ? `https://${text}` : text);
  } catch {
    return null;
  }
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.') ? u.href : null;
}

/** Replaces the links in the text nodes directly under `e` (a message's bubble) by <a> elements. */
export function linkify(e: Element): void {
  for (const node of [...e.childNodes]) {
    if (node.nodeType !== Node.TEXT_NODE) continue;
    const text = node.textContent ?? '';
    const links = findLinks(text);
    if (!links.length) continue;
    const parts: Node[] = [];
    let at = 0;
    for (const l of links) {
      if (l.start > at) parts.push(document.createTextNode(text.slice(at, l.start)));
      const a = document.createElement('a');
      a.href = l.href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow ugc';
      a.textContent = text.slice(l.start, l.end);
      parts.push(a);
      at = l.end;
    }
    if (at < text.length) parts.push(document.createTextNode(text.slice(at)));
    node.replaceWith(...parts);
  }
}
