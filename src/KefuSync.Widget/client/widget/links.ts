// Entry of dist/kefu-links.js: links in message text, loaded by the widget (ui/widget/widget.ts, links-slot.ts) once a
// message looks like it holds one. It hands its filler over through one window event.
import { linkify } from '../ui/links/linkify';
import { LINKS_MODULE_EVENT, type LinksModule } from '../ui/widget/links-slot';

const fill: LinksModule = (list) => {
  for (const b of list.querySelectorAll('[data-testid="kefu-message-text"]:not([data-l])')) {
    b.setAttribute('data-l', '');
    if (!b.closest('.recalled')) linkify(b);
  }
};
dispatchEvent(new CustomEvent<LinksModule>(LINKS_MODULE_EVENT, { detail: fill }));
