// Writes that wait for the network: notes and stars go to an IndexedDB outbox first, and are sent in
// order by flush(), from the page (on load, on `online`, after a failure) or from the service worker
// (Background Sync). Each note carries its client_id, so a retry after a lost answer finds the note
// the server already stored instead of writing a second one. Shared by the page and the worker: no DOM.
import * as store from './store.js';
import { ApiError, ensureIdentity, identity, request } from './api.js';

const talkPath = (op) => `/events/${encodeURIComponent(op.slug)}/talks/${op.talk_id}`;

export function newClientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const pending = () => store.all('outbox');

/** Queue a write, folding it into one not yet sent for the same note or talk. */
export function enqueue(op) {
  return store.exclusively('plenary-outbox-queue', async () => {
    const queued = await store.all('outbox');
    const same = (kind) => queued.find((o) => o.kind === kind && o.client_id === op.client_id);
    if (op.kind === 'note-edit' || op.kind === 'note-delete') {
      const create = same('note-create');
      if (create && op.kind === 'note-edit') {
        return store.put('outbox', { ...create, text: op.text, visibility: op.visibility, rev: create.rev + 1 });
      }
      if (create) { // never sent: nothing to delete on the server
        for (const o of queued.filter((q) => q.client_id === op.client_id)) await store.remove('outbox', o.seq);
        return store.remove('notes', op.client_id);
      }
      const edit = same('note-edit');
      if (edit && op.kind === 'note-edit') {
        return store.put('outbox', { ...edit, text: op.text, visibility: op.visibility, rev: edit.rev + 1 });
      }
      if (edit) { await store.remove('outbox', edit.seq); op = { ...op, version: edit.version }; }
    }
    if (op.kind === 'star' || op.kind === 'unstar') {
      const twin = queued.find((o) => (o.kind === 'star' || o.kind === 'unstar') && o.talk_id === op.talk_id && o.slug === op.slug);
      if (twin) await store.remove('outbox', twin.seq);
    }
    return store.put('outbox', { ...op, rev: 0, queued_at: Date.now() });
  });
}

class Conflict extends Error {}

async function markSaved(note, server, stillPending) {
  const merged = { ...note, id: server.id, version: server.version, updated_at: server.updated_at };
  await store.put('notes', stillPending ? merged : { ...merged, text: server.text, visibility: server.visibility, state: 'saved', error: '' });
}

async function serverCopy(note, token) {
  const query = new URLSearchParams({ event: note.slug, talk: note.talk_id });
  const { data } = await request(`/me/takeaways?${query}`, { token });
  return data.items.find((item) => item.id === note.id);
}

async function conflict(note, token, message) {
  const theirs = await serverCopy(note, token);
  await store.put('notes', {
    ...note, state: 'conflict', error: message,
    theirs: theirs && !theirs.deleted ? { text: theirs.text, visibility: theirs.visibility, version: theirs.version } : { deleted: true },
  });
  throw new Conflict(message);
}

async function send(op) {
  const { token } = await ensureIdentity(op.slug);
  if (op.kind === 'star' || op.kind === 'unstar') {
    await request(`/me/starred/${op.talk_id}`, { method: op.kind === 'star' ? 'PUT' : 'DELETE', token });
    return null;
  }
  const note = await store.get('notes', op.client_id);
  if (op.kind === 'note-create') {
    const body = { text: op.text, visibility: op.visibility, client_id: op.client_id };
    return (await request(`${talkPath(op)}/takeaways`, { method: 'POST', token, body })).data;
  }
  if (!note?.id) return null; // deleted here meanwhile, or never stored
  try {
    if (op.kind === 'note-edit') {
      const body = { text: op.text, visibility: op.visibility };
      return (await request(`/me/takeaways/${note.id}`, { method: 'PATCH', token, body, ifMatch: op.version })).data;
    }
    await request(`/me/takeaways/${note.id}`, { method: 'DELETE', token, ifMatch: op.version });
    await store.remove('notes', op.client_id);
    return null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && op.kind === 'note-delete') return null;
    if (error instanceof ApiError && error.status === 412) await conflict(note, token, error.message);
    throw error;
  }
}

/** Why a refused write was dropped, kept on the note so its text stays on screen. */
async function refuse(op, error) {
  const note = op.client_id && await store.get('notes', op.client_id);
  if (note) await store.put('notes', { ...note, state: 'refused', error: error.message });
}

/** After a write was sent: keep the queue entry if the user changed it meanwhile, as an edit of the stored note. */
async function settle(op, server) {
  const now = (await store.all('outbox')).find((o) => o.seq === op.seq);
  const changed = now && now.rev !== op.rev;
  if (changed && op.kind === 'note-create') await store.put('outbox', { ...now, kind: 'note-edit', version: server.version });
  else if (!changed) await store.remove('outbox', op.seq);
  const note = server && await store.get('notes', op.client_id);
  if (note) await markSaved(note, server, changed);
}

/**
 * Send every queued write, oldest first. A network failure, a 5xx or a 429 stops here and keeps the
 * rest for later; a 412 turns the note into a conflict; a 4xx that names the write invalid drops it,
 * keeping its text on the note, and is reported so the page can say why.
 */
export function flush() {
  return store.exclusively('plenary-outbox', async () => {
    const report = { sent: 0, kept: 0, problems: [], stopped: '', status: 0 };
    for (const op of await store.all('outbox')) {
      try {
        await settle(op, await send(op));
        report.sent += 1;
      } catch (error) {
        const refused = error instanceof Conflict || (error instanceof ApiError && error.refused);
        if (!refused) {
          report.kept = (await store.all('outbox')).length;
          report.stopped = error.message;
          report.status = error.status || 0;
          return report;
        }
        await store.remove('outbox', op.seq);
        if (!(error instanceof Conflict)) await refuse(op, error);
        report.problems.push({ kind: op.kind, talk_id: op.talk_id, message: error.message, conflict: error instanceof Conflict });
      }
    }
    return report;
  });
}

/** Bring this device's copy of the notes up to date (`?since=` cursor), never overwriting unsent text. */
export async function pull(slug) {
  const me = await identity(slug);
  if (!me) return;
  let cursor = await store.get('kv', `cursor:${slug}`);
  for (let more = true; more;) {
    const query = new URLSearchParams({ event: slug });
    if (cursor) query.set('since', cursor);
    const { data } = await request(`/me/takeaways?${query}`, { token: me.token });
    for (const item of data.items) {
      const local = await store.get('notes', item.client_id);
      if (local && local.state !== 'saved') {
        if (!local.id) await store.put('notes', { ...local, id: item.id });
      } else if (item.deleted) {
        await store.remove('notes', item.client_id);
      } else {
        const { client_id, id, talk_id, text, visibility, version, created_at, updated_at } = item;
        await store.put('notes', { client_id, id, slug, talk_id, text, visibility, version, created_at, updated_at, state: 'saved' });
      }
    }
    cursor = data.cursor;
    more = data.more;
    await store.put('kv', cursor, `cursor:${slug}`);
  }
}
