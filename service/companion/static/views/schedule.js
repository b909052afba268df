// The schedule by day, filtered by track, room and kind, searched by words; filters live in the URL.
import { html } from '../lib/html.js';
import { matcher } from '../lib/search.js';
import { dayName } from '../lib/time.js';
import { KIND_NAMES, clashes, entryRow, toggleStar } from './parts.js';

export const title = () => 'Schedule';
const FILTERS = ['track', 'room', 'kind'];
const FIRST_ROWS = 40;
/** Rows drawn after the first paint, so a day of hundreds of sessions shows at once; and which render they belong to. */
let deferred = [];
let drawing = 0;
let shownAddress = '';

function options(entries, pick) {
  const seen = new Map();
  for (const entry of entries) {
    const found = pick(entry);
    if (found && !seen.has(found[0])) seen.set(found[0], found[1]);
  }
  return [...seen].sort((a, b) => a[1].localeCompare(b[1]));
}

function select(name, label, choices, chosen) {
  return html`<label class="filter"><span>${label}</span><select name="${name}">
    <option value="">All</option>${choices.map(([value, text]) => html`<option value="${value}" ${value === chosen ? html`selected` : ''}>${text}</option>`)}
  </select></label>`;
}

export function render(ctx) {
  const { state, params } = ctx;
  const chosen = Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || '']));
  const query = params.get('q') || '';
  const day = state.days.find((d) => d.date === params.get('day')) || state.days[0];
  const wanted = matcher(query);
  const shown = state.entries.filter((e) => (!chosen.track || e.track?.slug === chosen.track)
    && (!chosen.room || e.room?.slug === chosen.room) && (!chosen.kind || e.kind === chosen.kind) && wanted(e));
  const filtered = query || FILTERS.some((name) => chosen[name]);
  const clash = clashes(state.starredEntries);
  const link = (date) => { const p = new URLSearchParams(params); p.set('day', date); return `/e/${state.slug}/schedule?${p}`; };
  const days = state.days.map((d) => ({ ...d, talks: shown.filter((e) => e.day === d.date) }));
  const listed = filtered ? days.filter((d) => d.talks.length) : [days.find((d) => d.date === day?.date)].filter(Boolean);
  // Only a new list is drawn in two steps; redrawing the same one (a star) keeps every row, and the scroll position.
  const address = location.pathname + location.search;
  let budget = address === shownAddress ? Infinity : FIRST_ROWS;
  shownAddress = address;
  deferred = [];
  drawing += 1;
  const rows = (d) => {
    const now = d.talks.slice(0, Math.max(budget, 0));
    budget -= now.length;
    if (now.length < d.talks.length) deferred.push({ date: d.date, talks: d.talks.slice(now.length), clash });
    return now.map((e) => entryRow(e, ctx, clash.get(e.id)));
  };
  return html`<h1 tabindex="-1">Schedule</h1>
    <form class="filters" data-filters role="search" aria-label="Filter the schedule">
      <label class="filter search"><span>Search</span><input type="search" name="q" value="${query}" placeholder="Words in a title, abstract, speaker…" autocomplete="off" enterkeyhint="search"></label>
      ${select('track', 'Track', options(state.entries, (e) => e.track && [e.track.slug, e.track.name]), chosen.track)}
      ${select('room', 'Room', options(state.entries, (e) => e.room && [e.room.slug, e.room.name]), chosen.room)}
      ${select('kind', 'Kind', options(state.entries, (e) => [e.kind, KIND_NAMES[e.kind] || e.kind]), chosen.kind)}
      <button type="submit" class="secondary">Apply</button>
    </form>
    ${filtered ? html`<p class="count" role="status">${shown.length} session${shown.length === 1 ? '' : 's'} found.
      <a href="/e/${state.slug}/schedule?day=${day?.date || ''}">Clear filters</a></p>`
      : html`<nav class="days" aria-label="Days"><ul>${state.days.map((d) => html`<li><a href="${link(d.date)}" data-day
        ${d.date === day?.date ? html`aria-current="true"` : ''}>${dayName(d.date, 'short')}</a></li>`)}</ul></nav>`}
    ${listed.map((d) => html`<section class="day"><h2>${dayName(d.date)}</h2>
      ${d.talks.length ? html`<ul class="entries" data-day="${d.date}">${rows(d)}</ul>` : html`<p class="quiet">Nothing on this day.</p>`}
    </section>`)}`;
}

function apply(form, ctx) {
  const params = new URLSearchParams();
  const day = ctx.params.get('day');
  if (day) params.set('day', day);
  for (const [name, value] of new FormData(form)) if (String(value).trim()) params.set(name, String(value).trim());
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
  const focused = document.activeElement?.name || 'q';
  return ctx.render().then(() => {
    const field = document.querySelector(`form[data-filters] [name="${focused}"]`);
    field?.focus();
    if (field?.type === 'search') field.setSelectionRange(field.value.length, field.value.length);
  });
}

/** Append the rows left out of the first paint, a chunk per task, unless another render came first. */
function drawRest(ctx, root, turn) {
  const next = deferred.shift();
  if (!next || turn !== drawing) return;
  const chunk = next.talks.splice(0, 120);
  root.querySelector(`ul[data-day="${next.date}"]`)?.insertAdjacentHTML('beforeend', chunk.map((e) => entryRow(e, ctx, next.clash.get(e.id))).join(''));
  if (next.talks.length) deferred.unshift(next);
  setTimeout(() => drawRest(ctx, root, turn));
}

let typing = 0;
export function mounted(ctx) {
  const { root } = ctx;
  const turn = drawing;
  requestAnimationFrame(() => setTimeout(() => drawRest(ctx, root, turn)));
  root.querySelector('input[type=search]')?.addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(() => event.target.form.requestSubmit(), 250);
  });
}

export const actions = { star: toggleStar, filter: apply };
