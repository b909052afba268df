// What changed in the starred talks: polled with ETags (cheap 304s) until the live stream exists.
// watchChanges() is the one function to swap for an EventSource on /me/live: it calls `onUpdate`
// whenever something may have changed, and returns a function that stops watching.
import * as store from './store.js';
import { identity, request } from './api.js';

const POLL_MS = 60_000;

const place = (entry) => ({ start: entry.start, end: entry.end, room: entry.room?.name || '' });

/** Starred sessions that were moved or cancelled between two copies of the starred list. */
export function differences(before, after) {
  const old = new Map(before.map((entry) => [entry.id, entry]));
  const flags = [];
  for (const entry of after) {
    const was = old.get(entry.id);
    if (!was) continue;
    const base = { slot_id: entry.id, talk_id: entry.talk_id, title: entry.title, was: place(was), now: place(entry) };
    if (entry.status === 'cancelled' && was.status !== 'cancelled') flags.push({ ...base, kind: 'cancelled' });
    else if (entry.start !== was.start || entry.end !== was.end || entry.room?.id !== was.room?.id) flags.push({ ...base, kind: 'moved' });
  }
  return flags;
}

export const starredCopy = async (slug) => (await store.get('kv', `starred:${slug}`)) || { etag: null, entries: [] };
export const flags = async (slug) => (await store.get('kv', `flags:${slug}`)) || [];
export const dismissFlags = (slug) => store.put('kv', [], `flags:${slug}`);

/**
 * Keep the local copy of the starred list in step with a star given or taken here, from the schedule
 * this page shows: a move made after this moment is then flagged even if the server's list was not
 * fetched in between.
 */
export async function starLocally(slug, entries, on) {
  const copy = await starredCopy(slug);
  const talkIds = new Set(entries.map((entry) => entry.talk_id));
  const others = copy.entries.filter((entry) => !talkIds.has(entry.talk_id));
  await store.put('kv', { ...copy, entries: on ? [...others, ...entries] : others }, `starred:${slug}`);
}

/** Ask for the starred list (If-None-Match); flag what moved. True when it changed. */
export async function checkStarred(slug) {
  const me = await identity(slug);
  if (!me) return false;
  const copy = await starredCopy(slug);
  const answer = await request('/me/starred', { token: me.token, etag: copy.etag });
  if (answer.status === 304) return false;
  const found = differences(copy.entries, answer.data);
  if (found.length) {
    const known = (await flags(slug)).filter((f) => !found.some((n) => n.slot_id === f.slot_id));
    await store.put('kv', [...found, ...known], `flags:${slug}`);
  }
  await store.put('kv', { etag: answer.etag, entries: answer.data }, `starred:${slug}`);
  return true;
}

export function watchChanges(onUpdate) {
  const tick = () => { if (navigator.onLine) onUpdate(); };
  const wake = () => { if (document.visibilityState === 'visible') tick(); };
  const timer = setInterval(tick, POLL_MS);
  addEventListener('online', tick);
  document.addEventListener('visibilitychange', wake);
  return () => {
    clearInterval(timer);
    removeEventListener('online', tick);
    document.removeEventListener('visibilitychange', wake);
  };
}
