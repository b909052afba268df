// Devices: link a second device to the same attendee (a one-time code and its QR), list and unlink them,
// and the name shown with public takeaways. /e/{slug}/pair#CODE lands here with the code filled in.
import * as store from '../lib/store.js';
import { adoptIdentity, deviceName, ensureIdentity, identity, request } from '../lib/api.js';
import { html } from '../lib/html.js';
import { pull } from '../lib/outbox.js';
import { checkStarred } from '../lib/changes.js';
import { dateTime } from '../lib/time.js';
import { qrCode } from './starred.js';

export const title = () => 'Devices';
let pairing = null;
let devices;
let displayName = '';
store.get('kv', 'display-name').then((name) => { displayName = name || ''; });

function pairingBlock(state) {
  if (!pairing) {
    return html`<button type="button" data-action="make-code">Show a pairing code</button>`;
  }
  return html`<div class="pairing">
    <p>On the other device, open <strong>${location.host}/e/${state.slug}/devices</strong> and enter this code,
      or scan the QR code. It works once, until ${dateTime(pairing.expires_at, state.event.timezone)}.</p>
    <p class="code" aria-label="Pairing code">${pairing.code}</p>
    ${qrCode(pairing.link, 'QR code of the pairing link')}
  </div>`;
}

function deviceList(state) {
  if (!state.me) return html`<p class="quiet">This device has not stored anything yet.</p>`;
  if (devices === undefined) return html`<p class="quiet">Loading…</p>`;
  if (devices === null) return html`<p class="quiet">The list of devices needs a connection.</p>`;
  return html`<ul class="devices">${devices.map((d) => html`<li>
    <span><strong>${d.name || 'A device'}</strong>${d.this_device ? ' (this device)' : ''}<br>
      <span class="quiet">${d.last_used_at ? `Last used ${dateTime(d.last_used_at, state.event.timezone)}` : `Linked ${dateTime(d.created_at, state.event.timezone)}`}</span></span>
    ${d.this_device ? '' : html`<button type="button" class="secondary danger" data-action="revoke" data-device="${d.id}" aria-label="Unlink ${d.name || 'this device'}">Unlink</button>`}
  </li>`)}</ul>`;
}

export function render(ctx) {
  const { state } = ctx;
  const code = ctx.section === 'pair' ? decodeURIComponent(location.hash.slice(1)) : '';
  return html`<h1 tabindex="-1">Devices</h1>
    <section aria-labelledby="link-other"><h2 id="link-other">Use another device</h2>
      <p>Link a laptop or tablet to your stars and takeaways: they stay in step on both, each device with its own key that you can withdraw.</p>
      ${pairingBlock(state)}</section>
    <section aria-labelledby="link-this"><h2 id="link-this">Link this device</h2>
      <form data-form="pair" class="pair-form">
        <label for="pair-code">Pairing code from your other device</label>
        <input id="pair-code" name="code" value="${code}" required autocomplete="one-time-code" autocapitalize="characters"
          spellcheck="false" placeholder="ABCD-EFGH" pattern="[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}" aria-describedby="pair-help">
        <p id="pair-help" class="quiet">${state.me ? 'This device then uses the other one\'s stars and notes instead of its own.' : ''}</p>
        <button type="submit">Link this device</button>
      </form></section>
    <section aria-labelledby="linked"><h2 id="linked">Linked devices</h2>${deviceList(state)}</section>
    <section aria-labelledby="you"><h2 id="you">Your name</h2>
      <form data-form="name" class="name-form">
        <label for="display-name">Shown with your public takeaways (asked when this device first saves something; empty: anonymous)</label>
        <input id="display-name" name="name" maxlength="80" value="${displayName}" autocomplete="nickname" ${state.me ? html`disabled` : ''}>
        ${state.me ? html`<p class="quiet">Registered as “${state.me.display_name || 'anonymous'}”.</p>` : html`<button type="submit" class="secondary">Keep this name</button>`}
      </form></section>`;
}

export async function mounted(ctx) {
  if (!ctx.state.me || devices !== undefined) return;
  try {
    const { data } = await request('/me/devices', { token: ctx.state.me.token });
    devices = Array.isArray(data) ? data : data.items;
  } catch {
    devices = null;
  }
  await ctx.render();
  devices = undefined; // asked again on the next visit
}

async function makeCode(_, ctx) {
  try {
    const me = await ensureIdentity(ctx.state.slug);
    pairing = (await request('/me/pairing-code', { method: 'POST', token: me.token })).data;
  } catch (error) { ctx.sayError(error); }
  await ctx.render();
}

async function pair(form, ctx) {
  const raw = form.elements.code.value.trim().toUpperCase().replace(/[^A-Z0-9]/g, '');
  const code = raw.length === 8 ? `${raw.slice(0, 4)}-${raw.slice(4)}` : raw;
  try {
    const { data } = await request(`/events/${encodeURIComponent(ctx.state.slug)}/devices`, { method: 'POST', body: { code, device_name: deviceName() } });
    await adoptIdentity(ctx.state.slug, data);
    for (const note of await store.where('notes', 'slug', ctx.state.slug)) {
      if (note.state === 'saved') await store.remove('notes', note.client_id); // the old identity's, not this one's
    }
    await Promise.all([checkStarred(ctx.state.slug), pull(ctx.state.slug)]);
    ctx.say('This device is linked: your stars and takeaways are here.');
    history.replaceState(null, '', `/e/${ctx.state.slug}/devices`);
  } catch (error) { ctx.sayError(error); }
  await ctx.render();
}

async function revoke(button, ctx) {
  const me = await identity(ctx.state.slug);
  try {
    await request(`/me/devices/${button.dataset.device}`, { method: 'DELETE', token: me.token });
    ctx.say('Unlinked: that device can no longer read or change your stars and takeaways.');
  } catch (error) { ctx.sayError(error); }
  await ctx.render();
}

async function keepName(form, ctx) {
  displayName = form.elements.name.value.trim();
  await store.put('kv', displayName, 'display-name');
  ctx.say('Saved: your public takeaways will carry this name.');
}

export const actions = { 'make-code': makeCode, pair, revoke, name: keepName };
