// IndexedDB adapter for the outbox: database `kefu-outbox`, object store `ops` keyed by the client op id.
// Kept thin on purpose; the logic lives in outbox.ts and is tested against MemoryOutboxStore.
import { MemoryOutboxStore, type OutboxRecord, type OutboxStore } from './outbox';

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

  private async tx<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.db;
    return req(f(db.transaction('ops', mode).objectStore('ops')));
  }

  async put(r: OutboxRecord): Promise<void> {
    await this.tx('readwrite', (s) => s.put(r));
  }
  async delete(id: string): Promise<void> {
    await this.tx('readwrite', (s) => s.delete(id));
  }
  getAll(): Promise<OutboxRecord[]> {
    return this.tx('readonly', (s) => s.getAll() as IDBRequest<OutboxRecord[]>);
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
