// Pieces shared by the views: a schedule entry with its star, clashes between starred sessions.
import { html } from '../lib/html.js';
import { span } from '../lib/time.js';

export const KIND_NAMES = {
  talk: 'Talk', keynote: 'Keynote', panel: 'Panel', workshop: 'Workshop', conversation: 'Conversation',
  lightning: 'Lightning talk', break: 'Break', social: 'Social', other: 'Other',
};

const STARRABLE = new Set(['talk', 'keynote', 'panel', 'workshop', 'conversation', 'lightning', 'social', 'other']);

export function starButton(entry, state) {
  if (!STARRABLE.has(entry.kind)) return '';
  const on = state.stars.has(entry.talk_id);
  return html`<button type="button" class="star" data-action="star" data-talk="${entry.talk_id}" aria-pressed="${on}"
    aria-label="${on ? 'Starred' : 'Star'}: ${entry.title}" title="${on ? 'Unstar' : 'Star'}"><span aria-hidden="true">${on ? '★' : '☆'}</span></button>`;
}

/** Slot ids of starred sessions that overlap another starred session, each with the titles it clashes with. */
export function clashes(starredEntries) {
  const live = starredEntries.filter((e) => e.status !== 'cancelled').sort((a, b) => a.start.localeCompare(b.start));
  const found = new Map();
  for (let i = 0; i < live.length; i += 1) {
    const a = live[i];
    for (let j = i + 1; j < live.length && Date.parse(live[j].start) < Date.parse(a.end); j += 1) {
      const b = live[j];
      if (a.talk_id === b.talk_id) continue;
      found.set(a.id, [...(found.get(a.id) || []), b.title]);
      found.set(b.id, [...(found.get(b.id) || []), a.title]);
    }
  }
  return found;
}

export function entryRow(entry, ctx, clashing) {
  const { state } = ctx;
  const zone = state.event.timezone;
  const meta = [entry.room?.name, entry.track?.name, entry.speakers.map((s) => s.name).join(', ')].filter(Boolean).join(' · ');
  const cancelled = entry.status === 'cancelled';
  return html`<li class="entry${cancelled ? ' cancelled' : ''}${clashing ? ' clash' : ''}" style="--track:${entry.track?.color || 'transparent'}">
    <a class="entry-link" href="/e/${state.slug}/talks/${entry.talk_id}">
      <span class="entry-time">${span(entry, zone)}</span>
      <span class="entry-title">${entry.title}</span>
      <span class="entry-meta">${KIND_NAMES[entry.kind] || entry.kind}${meta ? ` · ${meta}` : ''}</span>
      ${cancelled ? html`<span class="badge badge-cancelled">Cancelled</span>` : ''}
      ${clashing ? html`<span class="badge badge-clash">Clashes with ${clashing.join(', ')}</span>` : ''}
    </a>
    ${starButton(entry, state)}
  </li>`;
}

/** Star or unstar a talk (every occurrence), through the outbox. */
export async function toggleStar(button, ctx) {
  const talkId = button.dataset.talk;
  await ctx.write({ kind: ctx.state.stars.has(talkId) ? 'unstar' : 'star', talk_id: talkId });
}
