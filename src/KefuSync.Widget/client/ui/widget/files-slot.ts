// The main bundle's side of file messages: render.ts draws a chip with the file's name at once; everything that needs
// the server (links, thumbnails, sizes) is in kefu-files.js, loaded the first time a chip is drawn, so page views
// without files never download it and the widget stays within its size budget (size.test.ts, hence the terse code).
import type { KefuClient } from '../../sync/kefu-client';
import type { MessageChannel } from '../../sync/message-channel';
import type { WidgetConfig } from './widget';

export const FILES_MODULE_EVENT = 'kefu-files.js';

export interface FilesModule {
  /**
   * Returns what fills the chips of a message list that are not filled yet (each once). `cfg.token` is the page's
   * visitor token, if any; `msgs` the conversation shown now (its channel names the scope, its log the files).
   */
  create(cfg: WidgetConfig, client: KefuClient, msgs: () => MessageChannel | null): (list: HTMLElement) => void;
}
