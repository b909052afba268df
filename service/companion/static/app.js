// The companion's page: routes /e/{slug}/... to views, keeps the event's data, sends the outbox.
import * as store from './lib/store.js';
import { ApiError, NoNetwork, identity, request } from './lib/api.js';
import { enqueue, flush, pending, pull } from './lib/outbox.js';
import { checkStarred, dismissFlags, flags, starLocally, starredCopy, watchChanges } from './lib/changes.js';
import { html } from './lib/html.js';
import { dateTime, setPhoneZone, shownZone, usePhoneZone } from './lib/time.js';

// Each view is loaded when first shown: the first screen waits for its own code only.
const VIEWS = {
  '': () => import('./views/now.js'),
  schedule: () => import('./views/schedule.js'),
  talks: () => import('./views/talk.js'),
  starred: () => import('./views/starred.js'),
  notes: () => import('./views/notes.js'),
  devices: () => import('./views/devices.js'),
  pair: () => import('./views/devices.js'),
};
const TABS = [['', 'Now'], ['schedule', 'Schedule'], ['starred', 'Starred'], ['notes', 'Notes'], ['devices', 'Devices']];
const RETRY_MS = [2000, 5000, 15000, 30000, 60000];

const main = document.getElementById('view');
const state = { slug: '', event: null, entries: [], days: [], me: null, stars: new Set(), starredEntries: [], notes: [], queued: [], flags: [], messages: [] };
let retries = 0;
let retryTimer = 0;
let flushing = null;
let view = null; // the view on screen: its render, and the actions its buttons and forms name

const route = () => {
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  return { slug: parts[0] === 'e' ? parts[1] || '' : '', section: parts[2] || '', rest: parts.slice(3), params: new URLSearchParams(location.search) };
};

export function say(message, kind = 'info') {
  state.messages = [...state.messages.filter((m) => m.text !== message), { text: message, kind }];
  renderChrome();
}

/** Show what went wrong in words: the API's problem detail, or that the network is gone. */
export function sayError(error) {
  say(error instanceof ApiError || error instanceof NoNetwork ? error.message : `Something went wrong: ${error.message}`, 'error');
}

/** The worker now holds the shell and this event's data: the page will open without a network. */
function markOfflineReady() {
  if (navigator.serviceWorker?.controller) document.body.dataset.offline = 'ready';
}

async function loadEvent(slug) {
  const path = `/events/${encodeURIComponent(slug)}`;
  const [event, plan] = await Promise.all([request(path), request(`${path}/schedule`)]);
  state.event = event.data;
  state.days = plan.data.days;
  state.entries = plan.data.days.flatMap((day) => day.talks);
  state.byTalk = new Map();
  for (const entry of state.entries) {
    if (!state.byTalk.has(entry.talk_id)) state.byTalk.set(entry.talk_id, []);
    state.byTalk.get(entry.talk_id).push(entry);
  }
}

/** This device's own view of its stars and notes: the server's last answer plus what waits to be sent. */
async function readMine(slug) {
  const [me, copy, queued, notes, flagged] = await Promise.all([
    identity(slug), starredCopy(slug), pending(), store.where('notes', 'slug', slug), flags(slug),
  ]);
  return { me, copy, queued: queued.filter((op) => op.slug === slug), notes, flagged };
}

function useMine({ me, copy, queued, notes, flagged }) {
  state.me = me;
  state.queued = queued;
  state.stars = new Set(copy.entries.map((entry) => entry.talk_id));
  for (const op of state.queued) {
    if (op.kind === 'star') state.stars.add(op.talk_id);
    if (op.kind === 'unstar') state.stars.delete(op.talk_id);
  }
  state.starredEntries = state.entries.filter((entry) => state.stars.has(entry.talk_id));
  state.notes = notes;
  state.flags = flagged;
}

function renderChrome() {
  const { slug, event } = state;
  document.getElementById('event-title').textContent = slug ? event?.title || '' : '';
  const zone = document.getElementById('zone');
  zone.hidden = !event || !slug;
  if (event) {
    zone.textContent = usePhoneZone() ? 'Phone time' : 'Event time';
    zone.title = `Times are shown in ${shownZone(event.timezone)}`;
  }
  const tabs = document.getElementById('tabs');
  tabs.hidden = !slug;
  const section = route().section;
  tabs.innerHTML = slug ? html`<ul>${TABS.map(([path, label]) => html`<li><a href="/e/${slug}${path ? `/${path}` : ''}"
    ${section === path || (path === 'devices' && section === 'pair') ? html`aria-current="page"` : ''}>${label}</a></li>`)}</ul>` : '';
  const waiting = state.queued.length;
  document.body.dataset.outbox = String(waiting); // for scripts and tests: how many writes wait
  document.getElementById('status').textContent = !navigator.onLine
    ? `Offline. ${waiting ? `${waiting} change${waiting > 1 ? 's' : ''} kept on this phone, sent when the network is back.` : 'Showing what this phone saved.'}`
    : !waiting ? ''
      : state.stopped ? `${waiting} change${waiting > 1 ? 's' : ''} not sent yet: ${state.stopped} Trying again soon.`
        : `Sending ${waiting} change${waiting > 1 ? 's' : ''}…`;
  const flagged = state.flags.map((f) => html`<li class="flag flag-${f.kind}"><a href="/e/${slug}/talks/${f.talk_id}">${f.title}</a>
    ${f.kind === 'cancelled' ? ' was cancelled.' : html` moved: now <strong>${dateTime(f.now.start, event.timezone)}</strong>, ${f.now.room}
    (was ${dateTime(f.was.start, event.timezone)}, ${f.was.room}).`}</li>`);
  const messages = state.messages.map((m, i) => html`<li class="message message-${m.kind}">${m.text}
    <button type="button" class="link" data-action="dismiss-message" data-index="${i}">Dismiss</button></li>`);
  document.getElementById('alerts').innerHTML = flagged.length || messages.length
    ? html`${flagged.length ? html`<div class="flags"><h2>Changes to your starred talks</h2><ul>${flagged}</ul>
      <button type="button" data-action="dismiss-flags">Mark as seen</button></div>` : ''}<ul class="messages">${messages}</ul>` : '';
}

/** The field the user is typing in, if any: a re-render (a poll, a sync) must not take it away. */
function whatIsBeingTyped() {
  const field = document.activeElement;
  if (!main.contains(field) || !field.name || !('value' in field) || field.type === 'radio') return null;
  return { id: field.id, name: field.name, value: field.value, start: field.selectionStart, end: field.selectionEnd };
}

function keepTyping(typing) {
  const field = typing && (main.querySelector(`#${CSS.escape(typing.id || '-')}`) || main.querySelector(`[name="${CSS.escape(typing.name)}"]`));
  if (!field) return;
  const changed = field.value !== typing.value;
  field.value = typing.value;
  field.focus();
  if (typing.start !== null && field.setSelectionRange) field.setSelectionRange(typing.start, typing.end);
  if (changed) field.dispatchEvent(new Event('input', { bubbles: true }));
}

async function render({ focus = false } = {}) {
  const here = route();
  if (!here.slug) { renderChrome(); return; } // the server-rendered list of events stays
  const code = (VIEWS[here.section] || VIEWS[''])();
  try {
    const fresh = state.slug !== here.slug || !state.event;
    if (fresh) {
      state.slug = here.slug;
      state.event = null;
    }
    const [module, mine] = await Promise.all([code, readMine(here.slug), fresh && loadEvent(here.slug)]);
    if (fresh) markOfflineReady();
    useMine(mine);
    view = module;
    const typing = whatIsBeingTyped();
    main.innerHTML = view.render({ ...here, state });
    keepTyping(typing);
    document.title = `${view.title?.({ ...here, state }) || 'Plenary'} · ${state.event.title}`;
    view.mounted?.({ ...context(), root: main });
  } catch (error) {
    main.innerHTML = html`<h1 tabindex="-1">Cannot show this event</h1><p>${error.message}</p><p><a href="/">All events</a></p>`;
  }
  renderChrome();
  if (focus) main.querySelector('h1')?.focus();
}

export function go(path) {
  history.pushState(null, '', path);
  render({ focus: true });
}

/** Refresh the event, the starred list and the notes from the server (each where it can). */
async function refresh({ schedule = true } = {}) {
  if (!state.slug) return;
  try {
    if (schedule) await loadEvent(state.slug);
    if (await identity(state.slug)) await Promise.all([checkStarred(state.slug), pull(state.slug)]);
  } catch (error) {
    if (!(error instanceof NoNetwork)) sayError(error);
  }
  await render();
}

function requestBackgroundSync() {
  navigator.serviceWorker?.ready.then((registration) => registration.sync?.register('plenary-outbox')).catch(() => {});
}

function reportFlush(report) {
  state.stopped = report.kept ? report.stopped : '';
  if (report.kept && report.status === 401) {
    say('This device was unlinked from your account, so your changes stay on it. Link it again under Devices.', 'error');
  }
  for (const problem of report.problems) {
    say(problem.conflict ? 'A note was changed on another device first: both texts are shown on it. Pick one.'
      : `Not saved: ${problem.message}`, problem.conflict ? 'warning' : 'error');
  }
}

/** Send the outbox now; after a failure try again later (backing off), and ask for Background Sync too. */
export function send() {
  flushing ??= (async () => {
    clearTimeout(retryTimer);
    try {
      const report = await flush();
      reportFlush(report);
      if (report.kept) {
        requestBackgroundSync();
        if (navigator.onLine) retryTimer = setTimeout(send, RETRY_MS[Math.min(retries++, RETRY_MS.length - 1)]);
      } else {
        retries = 0;
      }
      if (report.sent && state.slug) await Promise.all([checkStarred(state.slug), pull(state.slug)]).catch(() => {});
    } catch (error) {
      sayError(error);
    } finally {
      flushing = null;
    }
    await render();
  })();
  return flushing;
}

/** Queue a write and try to send it at once. */
export async function write(op) {
  await enqueue({ slug: state.slug, ...op });
  if (op.kind === 'star' || op.kind === 'unstar') await starLocally(state.slug, state.byTalk.get(op.talk_id) || [], op.kind === 'star');
  requestBackgroundSync();
  await render();
  if (navigator.onLine) send();
}

const context = () => ({ ...route(), state, go, say, sayError, write, send, render, refresh });

document.addEventListener('click', async (event) => {
  const link = event.target.closest('a[href^="/e/"]');
  if (link && !event.metaKey && !event.ctrlKey && !event.shiftKey && event.button === 0) {
    event.preventDefault();
    go(link.getAttribute('href'));
    return;
  }
  const button = event.target.closest('[data-action]');
  if (!button) return;
  const action = button.dataset.action;
  if (action === 'dismiss-message') { state.messages.splice(Number(button.dataset.index), 1); renderChrome(); return; }
  if (action === 'dismiss-flags') { await dismissFlags(state.slug); state.flags = []; renderChrome(); return; }
  const handler = view?.actions?.[action];
  if (handler) await handler(button, context(), event);
});

document.addEventListener('submit', async (event) => {
  const form = event.target.closest('form[data-form]');
  const handler = form && view?.actions?.[form.dataset.form];
  if (!handler) return;
  event.preventDefault();
  await handler(form, context(), event);
});

// Typed text is kept as it is typed: a reload, a crash or a flat battery loses nothing.
document.addEventListener('input', (event) => {
  const key = event.target.dataset?.draft;
  if (key) localStorage.setItem(key, event.target.value);
});

document.addEventListener('change', async (event) => {
  const handler = event.target.form?.dataset.filters !== undefined && view?.actions?.filter;
  if (handler) await handler(event.target.form, context(), event);
});

document.getElementById('zone').addEventListener('click', () => { setPhoneZone(!usePhoneZone()); render(); });
addEventListener('popstate', () => render({ focus: true }));
addEventListener('online', () => { renderChrome(); send(); refresh(); });
addEventListener('offline', renderChrome);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch((error) => console.warn('no offline copy:', error));
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type !== 'outbox') return; // the worker sent the outbox on Background Sync
    reportFlush(event.data.report);
    refresh();
  });
  // Loaded before the worker took over: ask again through it, so it keeps a copy for offline use.
  navigator.serviceWorker.addEventListener('controllerchange', () => { if (state.slug) loadEvent(state.slug).then(markOfflineReady, () => {}); });
}

await render();
watchChanges(refresh);
if ((await pending()).length && navigator.onLine) send();
if (route().slug && navigator.onLine) refresh({ schedule: false }); // the schedule was fetched just now
