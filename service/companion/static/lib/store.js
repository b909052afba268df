// IndexedDB, in the page and in the service worker: identities, cursors, notes and the outbox.
const NAME = 'plenary';
const VERSION = 1;
let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('kv');
      db.createObjectStore('notes', { keyPath: 'client_id' }).createIndex('slug', 'slug');
      db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

async function run(store, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export const get = (store, key) => run(store, 'readonly', (s) => s.get(key));
export const all = (store) => run(store, 'readonly', (s) => s.getAll());
export const where = (store, index, value) => run(store, 'readonly', (s) => s.index(index).getAll(value));
/** put(store, value) for stores with a key path; put('kv', value, key) for the key-value store. */
export const put = (store, value, key) => run(store, 'readwrite', (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const remove = (store, key) => run(store, 'readwrite', (s) => s.delete(key));

/** Run `work` alone across this origin's tabs and its service worker (Web Locks), where the browser has them. */
export function exclusively(name, work) {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request(name, work) : work();
}
