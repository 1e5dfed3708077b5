// Entry of dist/kefu-upload.js: sending files (the tray, the checks, the upload with its progress, failed uploads),
// loaded by the widget (ui/widget/widget.ts, upload-slot.ts) only once a visitor attaches, pastes or drops a file, or
// when the outbox holds a file to upload. It hands its exports over through one window event.
import { createUploads } from '../ui/upload/uploads';
import { UPLOAD_MODULE_EVENT, type UploadModule } from '../ui/widget/upload-slot';

const mod: UploadModule = { create: (cfg, client, msgs, panel) => createUploads(cfg, client, msgs, panel) };
dispatchEvent(new CustomEvent<UploadModule>(UPLOAD_MODULE_EVENT, { detail: mod }));
