// The companion's service worker (version __VERSION__): the app shell and its assets from the cache,
// the last copy of each event's schedule (revalidated with its ETag), and the outbox sent on
// Background Sync. Served from /sw.js with `no-cache`, so a new version is found on the next visit.
import { flush } from '__ASSETS_BASE__/lib/outbox.js';

const SHELL_CACHE = 'plenary-shell-__VERSION__';
const DATA_CACHE = 'plenary-data';
const ASSETS = '__ASSETS_BASE__/';
const PRECACHE = __PRECACHE__;
const SHELL = '/';
const NETWORK_PATIENCE_MS = 4000;
/** Event data anyone may read: the event, its schedule, a talk and its public takeaways. */
const EVENT_DATA = /^\/events\/[^/]+(\/schedule|\/talks\/[^/]+(\/takeaways)?)?$/;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll([...PRECACHE, '/manifest.webmanifest', SHELL]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('plenary-shell-') && key !== SHELL_CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

/** Every page of the app is the shell: from the network when it answers soon, else the stored copy. */
async function page(request) {
  const cache = await caches.open(SHELL_CACHE);
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(SHELL, response.clone());
    return response;
  });
  const stored = await cache.match(SHELL);
  if (!stored) return fresh;
  const patience = new Promise((resolve) => { setTimeout(() => resolve(stored), NETWORK_PATIENCE_MS); });
  return Promise.race([fresh.catch(() => stored), patience]);
}

async function asset(request) {
  const cache = await caches.open(SHELL_CACHE);
  const stored = await cache.match(request);
  if (stored) return stored;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

/** The network, asked with the stored copy's ETag (a 304 serves the copy); the copy alone when offline. */
async function revalidated(request) {
  const cache = await caches.open(DATA_CACHE);
  const stored = await cache.match(request);
  const headers = new Headers(request.headers);
  const etag = stored?.headers.get('ETag');
  if (etag) headers.set('If-None-Match', etag);
  try {
    const response = await fetch(request.url, { headers, cache: 'no-store' });
    if (response.status === 304 && stored) return stored;
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    if (stored) return stored;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') event.respondWith(page(request));
  else if (url.pathname.startsWith(ASSETS) || url.pathname === '/manifest.webmanifest') event.respondWith(asset(request));
  else if (EVENT_DATA.test(url.pathname) && !url.search && !request.headers.has('Authorization')) event.respondWith(revalidated(request));
});

self.addEventListener('sync', (event) => {
  if (event.tag !== 'plenary-outbox') return;
  event.waitUntil((async () => {
    const report = await flush();
    for (const client of await self.clients.matchAll()) client.postMessage({ type: 'outbox', report });
    if (report.kept) throw new Error('the outbox is kept for the next sync');
  })());
});
