// Entry of dist/kefu-files.js: sizes, thumbnails and download links of file messages, loaded by the widget
// (ui/widget/widget.ts, files-slot.ts) only once a conversation shows a file. It hands its exports over through one
// window event.
import { filesStrings } from '../i18n/files';
import { hostKey, tokenKey } from '../transport/connection';
import { chipFiller } from '../ui/files/file-chip';
import { FileLinks } from '../ui/files/file-links';
import { FILES_MODULE_EVENT, type FilesModule } from '../ui/widget/files-slot';

const mod: FilesModule = {
  create: (o, client, msgs) => {
    // the token `hello` sent (§9.1: the same one authorises the visitor's HTTP requests)
    const token = (): string | undefined => {
      let stored: string | null;
      try {
        // as Connection.hello: the browser's sign-in (protocol §2.5), else the anonymous visitor
        stored = localStorage.getItem(hostKey(o.endpoint)) ?? localStorage.getItem(tokenKey(o.endpoint));
      } catch {
        stored = null; // storage blocked: the welcome's token below
      }
      return o.token || stored || client.welcome?.token;
    };
    const fill = chipFiller(new FileLinks({ endpoint: o.endpoint, scope: () => msgs()?.ch.slice(5) ?? '', token }), filesStrings(o.lang), 'kefu-');
    return (list) => {
      for (const chip of list.querySelectorAll<HTMLElement>('.file:not([data-filled])')) {
        const att = msgs()?.log.find(Number(chip.closest('li')?.getAttribute('data-rev')))?.att;
        if (att && att.id === chip.getAttribute('data-att')) fill(chip, att);
      }
    };
  },
};
dispatchEvent(new CustomEvent<FilesModule>(FILES_MODULE_EVENT, { detail: mod }));
