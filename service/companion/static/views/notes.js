// Takeaways: the list of one's notes (in schedule order), editing, conflicts, the Markdown digest.
import * as store from '../lib/store.js';
import { identity, request } from '../lib/api.js';
import { html } from '../lib/html.js';
import { newClientId } from '../lib/outbox.js';
import { dayName, clock } from '../lib/time.js';

export const title = () => 'My takeaways';
const STATES = { pending: 'Waiting to be sent', saved: 'Saved', conflict: 'Changed on another device', refused: 'Not accepted' };
let editing = '';

const draft = (key, fallback) => localStorage.getItem(key) ?? fallback;
const visibilityName = (v) => (v === 'public' ? 'Public' : 'Private');

function visibilityField(chosen) {
  return html`<fieldset class="visibility"><legend>Who can read it</legend>
    <label><input type="radio" name="visibility" value="private" ${chosen !== 'public' ? html`checked` : ''}> Only me</label>
    <label><input type="radio" name="visibility" value="public" ${chosen === 'public' ? html`checked` : ''}> Everyone, under my name</label>
  </fieldset>`;
}

/** The form for a new note on a talk; its text is a draft kept on the device until it is queued. */
export function noteForm(slug, talkId) {
  const key = `draft:${slug}:${talkId}`;
  return html`<form class="note-form" data-form="add-note" data-talk="${talkId}">
    <label for="note-text">Your takeaway</label>
    <textarea id="note-text" name="text" rows="4" maxlength="4000" required data-draft="${key}">${draft(key, '')}</textarea>
    ${visibilityField('private')}
    <button type="submit">Save takeaway</button>
  </form>`;
}

function conflictBlock(note) {
  const theirs = note.theirs || {};
  return html`<div class="conflict" role="group" aria-label="Conflict between two versions">
    <p><strong>This note was changed on another device before your edit arrived.</strong> Nothing was overwritten: pick the text to keep.</p>
    <div class="versions">
      <figure><figcaption>Saved, from the other device</figcaption><blockquote class="theirs">${theirs.deleted ? '(deleted there)' : theirs.text}</blockquote></figure>
      <figure><figcaption>Yours, not saved yet</figcaption><blockquote class="mine">${note.text}</blockquote></figure>
    </div>
    <button type="button" data-action="keep-mine" data-note="${note.client_id}">Keep mine</button>
    <button type="button" class="secondary" data-action="keep-theirs" data-note="${note.client_id}">Keep theirs</button>
  </div>`;
}

function editForm(note) {
  const key = `draft-edit:${note.client_id}`;
  return html`<form class="note-form" data-form="save-note" data-note="${note.client_id}">
    <label for="edit-${note.client_id}">Edit your takeaway</label>
    <textarea id="edit-${note.client_id}" name="text" rows="4" maxlength="4000" required data-draft="${key}">${draft(key, note.text)}</textarea>
    ${visibilityField(note.visibility)}
    <button type="submit">Save</button> <button type="button" class="secondary" data-action="cancel-edit">Cancel</button>
  </form>`;
}

export function noteItem(note) {
  if (editing === note.client_id) return html`<li class="note">${editForm(note)}</li>`;
  return html`<li class="note note-${note.state}" data-note="${note.client_id}">
    ${note.state === 'conflict' ? conflictBlock(note) : html`<p class="note-text">${note.text}</p>`}
    <p class="note-meta">${visibilityName(note.visibility)} · <span class="note-state">${note.deleting ? 'Being deleted' : STATES[note.state] || note.state}</span>
      ${note.state === 'refused' ? html`: ${note.error}` : ''}</p>
    ${note.state === 'conflict' ? '' : html`<button type="button" class="link" data-action="edit-note" data-note="${note.client_id}">Edit</button>
    <button type="button" class="link danger" data-action="delete-note" data-note="${note.client_id}">${note.state === 'refused' ? 'Discard' : 'Delete'}</button>`}
  </li>`;
}

export const byCreation = (a, b) => (Date.parse(a.created_at) || 0) - (Date.parse(b.created_at) || 0);

/** In schedule order (a talk's first session), and in the order they were written within a talk. */
function order(state) {
  const first = (talkId) => state.byTalk.get(talkId)?.[0]?.start || '9999';
  return [...state.notes].sort((a, b) => first(a.talk_id).localeCompare(first(b.talk_id)) || byCreation(a, b));
}

export function render(ctx) {
  const { state } = ctx;
  const groups = [];
  for (const note of order(state)) {
    const last = groups.at(-1);
    if (last?.talkId === note.talk_id) last.notes.push(note);
    else groups.push({ talkId: note.talk_id, notes: [note] });
  }
  return html`<h1 tabindex="-1">My takeaways</h1>
    ${groups.length ? html`<div class="actions">
        <button type="button" data-action="download-digest">Download digest (Markdown)</button>
        ${navigator.share ? html`<button type="button" class="secondary" data-action="share-digest">Share digest</button>` : ''}
      </div>
      ${groups.map(({ talkId, notes }) => {
        const entry = state.byTalk.get(talkId)?.[0];
        return html`<section class="talk-notes"><h2><a href="/e/${state.slug}/talks/${talkId}">${entry?.title || 'A talk no longer in the schedule'}</a></h2>
          ${entry ? html`<p class="quiet">${dayName(entry.day, 'short')} ${clock(entry.start, state.event.timezone)}${entry.room ? ` · ${entry.room.name}` : ''}</p>` : ''}
          <ul class="notes">${notes.map(noteItem)}</ul></section>`;
      })}`
    : html`<p>No takeaways yet. Open a talk in the <a href="/e/${state.slug}/schedule">schedule</a> and write what you want to keep.</p>`}`;
}

const noteOf = async (element) => store.get('notes', element.dataset.note);
const chosenVisibility = (form) => new FormData(form).get('visibility') || 'private';

async function addNote(form, ctx) {
  const text = form.elements.text.value;
  if (!text.trim()) { ctx.say('Write something first.', 'error'); return; }
  const note = { client_id: newClientId(), slug: ctx.state.slug, talk_id: form.dataset.talk, text, visibility: chosenVisibility(form), state: 'pending', created_at: new Date().toISOString() };
  await store.put('notes', note);
  await ctx.write({ kind: 'note-create', client_id: note.client_id, talk_id: note.talk_id, text, visibility: note.visibility });
  localStorage.removeItem(form.elements.text.dataset.draft);
  await ctx.render();
}

async function saveNote(form, ctx) {
  const note = await noteOf(form);
  const text = form.elements.text.value;
  const visibility = chosenVisibility(form);
  editing = '';
  await store.put('notes', { ...note, text, visibility, state: 'pending', error: '' });
  const op = note.id ? { kind: 'note-edit', version: note.version } : { kind: 'note-create' };
  await ctx.write({ ...op, client_id: note.client_id, talk_id: note.talk_id, text, visibility });
  localStorage.removeItem(`draft-edit:${note.client_id}`);
}

async function deleteNote(button, ctx) {
  const note = await noteOf(button);
  if (!confirm('Delete this takeaway?')) return;
  if (!note.id) { await store.remove('notes', note.client_id); await ctx.write({ kind: 'note-delete', client_id: note.client_id }); return; }
  await store.put('notes', { ...note, state: 'pending', deleting: true });
  await ctx.write({ kind: 'note-delete', client_id: note.client_id, talk_id: note.talk_id, version: note.version });
}

async function keepMine(button, ctx) {
  const note = await noteOf(button);
  const theirs = note.theirs || {};
  if (theirs.deleted) { // gone on the server: write it again as a new note
    const copy = { ...note, client_id: newClientId(), id: undefined, state: 'pending', theirs: undefined };
    await store.remove('notes', note.client_id);
    await store.put('notes', copy);
    await ctx.write({ kind: 'note-create', client_id: copy.client_id, talk_id: copy.talk_id, text: copy.text, visibility: copy.visibility });
    return;
  }
  await store.put('notes', { ...note, state: 'pending', theirs: undefined, version: theirs.version });
  await ctx.write({ kind: 'note-edit', client_id: note.client_id, talk_id: note.talk_id, text: note.text, visibility: note.visibility, version: theirs.version });
}

async function keepTheirs(button, ctx) {
  const note = await noteOf(button);
  const theirs = note.theirs || {};
  if (theirs.deleted) await store.remove('notes', note.client_id);
  else await store.put('notes', { ...note, text: theirs.text, visibility: theirs.visibility, version: theirs.version, state: 'saved', theirs: undefined, error: '' });
  await ctx.render();
}

async function digest(ctx) {
  const me = await identity(ctx.state.slug);
  if (!me) throw new Error('Write a takeaway first.');
  const { data } = await request(`/me/takeaways/digest.md?event=${encodeURIComponent(ctx.state.slug)}`, { token: me.token, accept: 'text/markdown' });
  return data;
}

async function downloadDigest(_, ctx) {
  try {
    const url = URL.createObjectURL(new Blob([await digest(ctx)], { type: 'text/markdown' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: `${ctx.state.slug}-takeaways.md` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) { ctx.sayError(error); }
}

async function shareDigest(_, ctx) {
  try {
    await navigator.share({ title: `My takeaways: ${ctx.state.event.title}`, text: await digest(ctx) });
  } catch (error) { if (error.name !== 'AbortError') ctx.sayError(error); }
}

export const noteActions = {
  'add-note': addNote,
  'save-note': saveNote,
  'edit-note': (button, ctx) => { editing = button.dataset.note; return ctx.render(); },
  'cancel-edit': (_, ctx) => { localStorage.removeItem(`draft-edit:${editing}`); editing = ''; return ctx.render(); },
  'delete-note': deleteNote,
  'keep-mine': keepMine,
  'keep-theirs': keepTheirs,
};

export const actions = { ...noteActions, 'download-digest': downloadDigest, 'share-digest': shareDigest };
