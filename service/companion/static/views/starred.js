// My starred sessions in time order, with clashes, and the personal calendar link (copy, QR code).
import { ensureIdentity } from '../lib/api.js';
import { html, trusted } from '../lib/html.js';
import { dayName } from '../lib/time.js';
import { renderSVG } from '../vendor/uqr/uqr.js';
import { clashes, entryRow, toggleStar } from './parts.js';

export const title = () => 'Starred';

export function qrCode(text, label) {
  return html`<figure class="qr" role="img" aria-label="${label}">${trusted(renderSVG(text, { border: 2, pixelSize: 4 }))}</figure>`;
}

function calendar(me) {
  if (!me) {
    return html`<p>Star a session, or <button type="button" class="link" data-action="get-calendar">get your calendar link now</button>,
      to follow your starred sessions in your phone's or laptop's calendar.</p>`;
  }
  const { webcal, ics } = me.calendar;
  return html`<div class="calendar">
    <p><a class="button" href="${webcal}">Subscribe in my calendar</a></p>
    <label for="calendar-url">Your personal calendar link (keep it to yourself: anyone with it can read it)</label>
    <div class="copy-row"><input id="calendar-url" type="text" readonly value="${webcal}">
      <button type="button" class="secondary" data-action="copy" data-copy="calendar-url">Copy</button></div>
    <details><summary>QR code, to subscribe from a laptop or another phone</summary>${qrCode(ics, 'QR code of your personal calendar link')}</details>
  </div>`;
}

export function render(ctx) {
  const { state } = ctx;
  const clash = clashes(state.starredEntries);
  const days = state.days.map((d) => ({ ...d, talks: state.starredEntries.filter((e) => e.day === d.date) })).filter((d) => d.talks.length);
  return html`<h1 tabindex="-1">Starred</h1>
    ${calendar(state.me)}
    ${clash.size ? html`<p class="warning" role="note">${clash.size} of your starred sessions overlap: they are marked below.</p>` : ''}
    ${days.length ? days.map((d) => html`<section class="day"><h2>${dayName(d.date)}</h2>
      <ul class="entries">${d.talks.map((e) => entryRow(e, ctx, clash.get(e.id)))}</ul></section>`)
      : html`<p>No starred sessions yet. Tap ☆ beside a session in the <a href="/e/${state.slug}/schedule">schedule</a>.</p>`}`;
}

/** Copy the named field's text, and say so (the clipboard API needs a secure page; select it otherwise). */
export async function copy(button, ctx) {
  const field = document.getElementById(button.dataset.copy);
  try {
    await navigator.clipboard.writeText(field.value);
    ctx.say('Copied.');
  } catch {
    field.select();
    ctx.say('Selected: copy it with your keyboard or the menu.');
  }
}

async function getCalendar(_, ctx) {
  try { await ensureIdentity(ctx.state.slug); } catch (error) { ctx.sayError(error); }
  await ctx.render();
}

export const actions = { star: toggleStar, copy, 'get-calendar': getCalendar };
