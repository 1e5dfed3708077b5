// The main bundle's side of sending files: the attach button, paste and drop hand the files to kefu-upload.js, loaded
// the first time a visitor attaches one, or when the outbox holds a file to upload (KefuClient.uploader); the checks,
// the tray of chosen files, the upload with its progress and the failed uploads live there. Terse: every byte here is
// in the bundle every visitor loads (size.test.ts).
import type { KefuClient } from '../../sync/kefu-client';
import type { MessageChannel } from '../../sync/message-channel';
import type { WidgetConfig } from './widget';

export const UPLOAD_MODULE_EVENT = 'kefu-upload.js';

export interface Uploads {
  /**
   * An event on the chat window that carries files: `change` (the file input), `paste`, `drop` add them (checked
   * against `welcome.limits`, then shown in the tray until Send); `dragenter`/`dragover` show the drop target and
   * `dragleave` hides it. `files` were read while the event ran.
   */
  take(type: string, files: File[]): void;
  /** Send: the tray's files go into the outbox in the order chosen (before the text, which the widget sends next). */
  send(): Promise<void>;
  /** KefuClient.uploader: uploads one file record of the outbox. */
  upload: NonNullable<KefuClient['uploader']>;
  /** Fills the list's file items still in the outbox: preview, progress, why it failed and its buttons. */
  fill(list: HTMLElement): void;
}

export interface UploadModule {
  /** `panel`: the chat window (the tray goes before its form; its `data-drop` says what a drop does). */
  create(cfg: WidgetConfig, client: KefuClient, msgs: () => MessageChannel | null, panel: HTMLElement): Uploads;
}
