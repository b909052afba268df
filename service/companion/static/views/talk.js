// One talk: when and where (every occurrence), speakers, abstract, links, my notes, public takeaways.
import { html } from '../lib/html.js';
import { request } from '../lib/api.js';
import { dayName, span } from '../lib/time.js';
import { KIND_NAMES, starButton, toggleStar } from './parts.js';
import { byCreation, noteActions, noteForm, noteItem } from './notes.js';

export const title = ({ state, rest }) => state.byTalk.get(rest[0])?.[0]?.title || 'Talk';
const publicNotes = new Map();
const LINKS = [['recording', 'Recording'], ['slides', 'Slides'], ['url', 'Talk page']];

export function render(ctx) {
  const { state, rest } = ctx;
  const talkId = rest[0];
  const slots = state.byTalk.get(talkId);
  if (!slots) return html`<h1 tabindex="-1">Talk not found</h1><p>This talk is not in the schedule (any more). <a href="/e/${state.slug}/schedule">Back to the schedule</a></p>`;
  const talk = slots[0];
  const zone = state.event.timezone;
  const mine = state.notes.filter((n) => n.talk_id === talkId).sort(byCreation);
  const links = LINKS.filter(([name]) => /^https?:\/\//i.test(talk.links[name] || ''));
  const others = publicNotes.get(talkId);
  return html`<article class="talk">
    <p class="kind">${KIND_NAMES[talk.kind] || talk.kind}${talk.track ? html` · <span class="track" style="--track:${talk.track.color}">${talk.track.name}</span>` : ''}</p>
    <div class="talk-head"><h1 tabindex="-1">${talk.title}</h1>${starButton(talk, state)}</div>
    ${talk.subtitle ? html`<p class="subtitle">${talk.subtitle}</p>` : ''}
    <ul class="slots">${slots.map((slot) => html`<li class="${slot.status === 'cancelled' ? 'cancelled' : ''}">
      <strong>${dayName(slot.day, 'short')} ${span(slot, zone)}</strong>${slot.room ? ` · ${slot.room.name}` : ''}
      ${slot.status === 'cancelled' ? html` <span class="badge badge-cancelled">Cancelled</span>` : ''}</li>`)}</ul>
    ${talk.speakers.length ? html`<h2>Speakers</h2><ul class="speakers">${talk.speakers.map((s) => html`<li><strong>${s.name}</strong>${s.affiliation ? `, ${s.affiliation}` : ''}${s.role && s.role !== 'speaker' ? ` (${s.role})` : ''}</li>`)}</ul>` : ''}
    ${talk.abstract ? html`<h2>Abstract</h2><p class="abstract">${talk.abstract}</p>` : ''}
    ${links.length ? html`<h2>Links</h2><ul class="links">${links.map(([name, label]) => html`<li><a href="${talk.links[name]}" rel="noopener">${label}</a></li>`)}</ul>` : ''}
    <p><a href="/events/${state.slug}/talks/${talkId}.ics" download>Add this talk to a calendar (.ics)</a></p>
    <h2>My takeaways</h2>
    ${mine.length ? html`<ul class="notes my-notes">${mine.map(noteItem)}</ul>` : ''}
    ${noteForm(state.slug, talkId)}
    <h2>Public takeaways</h2>
    <div id="public-notes">${others === undefined ? html`<p class="quiet">Loading…</p>`
      : others === null ? html`<p class="quiet">Public takeaways cannot be loaded without a connection.</p>`
      : others.length ? html`<ul class="notes">${others.map((n) => html`<li class="note"><p class="note-text">${n.text}</p><p class="note-meta">${n.author || 'Anonymous'}</p></li>`)}</ul>`
      : html`<p class="quiet">None yet.</p>`}</div>
  </article>`;
}

export async function mounted(ctx) {
  const talkId = ctx.rest[0];
  if (!ctx.state.byTalk.has(talkId) || publicNotes.has(talkId)) return;
  try {
    const { data } = await request(`/events/${encodeURIComponent(ctx.state.slug)}/talks/${talkId}/takeaways`);
    publicNotes.set(talkId, data.items);
  } catch {
    publicNotes.set(talkId, null);
  }
  if (location.pathname.endsWith(talkId)) await ctx.render();
  setTimeout(() => publicNotes.delete(talkId), 60_000); // fetched again on a later visit
}

export const actions = { star: toggleStar, ...noteActions };
