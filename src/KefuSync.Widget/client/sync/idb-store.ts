// IndexedDB adapter for the outbox: database `kefu-outbox`, object store `ops` keyed by the client op id.
// Kept thin on purpose; the logic lives in outbox.ts and is tested against MemoryOutboxStore.
import { MemoryOutboxStore, type OutboxRecord, type OutboxStore, type TextRecord } from './outbox';

const req = <T>(r: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    r.onsuccess = () => {
      resolve(r.result);
    };
    r.onerror = () => {
      reject(r.error ?? new Error('IndexedDB request failed'));
    };
  });

export class IdbOutboxStore implements OutboxStore {
  private db: Promise<IDBDatabase>;

  constructor(factory: IDBFactory = indexedDB, name = 'kefu-outbox') {
    this.db = new Promise((resolve, reject) => {
      const open = factory.open(name, 1);
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains('ops')) open.result.createObjectStore('ops', { keyPath: 'id' });
      };
      open.onsuccess = () => {
        resolve(open.result);
      };
      open.onerror = () => {
        reject(open.error ?? new Error('kefu-outbox cannot be opened'));
      };
      open.onblocked = () => {
        reject(new Error('kefu-outbox blocked'));
      };
    });
  }

  /** One readwrite transaction, resolved once it commits (not when its requests succeed): then it is on disk. */
  async write(put: Array<OutboxRecord | TextRecord>, del: string[] = []): Promise<void> {
    const t = (await this.db).transaction('ops', 'readwrite');
    const s = t.objectStore('ops');
    for (const r of put) s.put(r);
    for (const id of del) s.delete(id);
    await new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onerror = t.onabort = () => reject(t.error ?? new Error('IndexedDB write failed'));
    });
  }
  async getAll(): Promise<unknown[]> {
    return req((await this.db).transaction('ops').objectStore('ops').getAll());
  }
}

/** IndexedDB when it works (it can be missing or refused, e.g. in some private modes), else memory. */
export async function openOutboxStore(): Promise<OutboxStore> {
  try {
    if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
    const s = new IdbOutboxStore();
    await s.getAll();
    return s;
  } catch {
    return new MemoryOutboxStore();
  }
}
