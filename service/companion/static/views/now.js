// The home screen of an event: what is on now and what comes next, room by room.
import { html } from '../lib/html.js';
import { clock, dateTime, dayName, instantFrom, shownZone } from '../lib/time.js';
import { entryRow, toggleStar } from './parts.js';

export const title = () => 'Now and next';

function rooms(entries) {
  const byRoom = new Map();
  for (const entry of entries) {
    const key = entry.room?.id || '';
    if (!byRoom.has(key)) byRoom.set(key, { room: entry.room, entries: [] });
    byRoom.get(key).entries.push(entry);
  }
  return [...byRoom.values()].sort((a, b) => (a.room?.position ?? 1e9) - (b.room?.position ?? 1e9));
}

export function render(ctx) {
  const { state, params } = ctx;
  const { event } = state;
  const at = instantFrom(params.get('at'), event.timezone);
  const live = state.entries.filter((e) => e.status !== 'cancelled');
  const cards = rooms(live).map(({ room, entries }) => {
    const running = entries.filter((e) => Date.parse(e.start) <= at && at < Date.parse(e.end));
    const next = entries.filter((e) => Date.parse(e.start) > at).sort((a, b) => a.start.localeCompare(b.start))[0];
    if (!running.length && !next) return '';
    return html`<section class="room" aria-labelledby="room-${room?.id || 'none'}">
      <h2 id="room-${room?.id || 'none'}">${room?.name || 'Elsewhere'}</h2>
      ${running.length ? html`<h3 class="label">Now</h3><ul class="entries">${running.map((e) => entryRow(e, ctx))}</ul>` : html`<p class="quiet">Nothing on now.</p>`}
      ${next ? html`<h3 class="label">Next${Date.parse(next.start) - at < 864e5 ? '' : html` on ${dayName(next.day, 'short')}`}</h3>
        <ul class="entries">${entryRow(next, ctx)}</ul>` : ''}
    </section>`;
  });
  const mine = state.starredEntries.filter((e) => e.status !== 'cancelled' && Date.parse(e.end) > at).sort((a, b) => a.start.localeCompare(b.start))[0];
  const over = !cards.some(Boolean);
  const first = state.days[0]?.date;
  return html`<h1 tabindex="-1">Now and next</h1>
    <p class="quiet">At ${dateTime(at.toISOString(), event.timezone)} (${shownZone(event.timezone)})${event.venue ? ` · ${event.venue}` : ''}</p>
    ${mine ? html`<p class="next-starred">Your next starred session: <a href="/e/${state.slug}/talks/${mine.talk_id}">${mine.title}</a>,
      ${dayName(mine.day, 'short')} ${clock(mine.start, event.timezone)}${mine.room ? `, ${mine.room.name}` : ''}.</p>` : ''}
    ${over ? html`<p>Nothing is on now and nothing is left to come${first && at < Date.parse(state.days[0].start)
      ? html`: the event begins on ${dayName(first)}` : ''}. <a href="/e/${state.slug}/schedule">See the whole schedule</a>.</p>` : cards}`;
}

export const actions = { star: toggleStar };
