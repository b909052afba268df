// Talking to the Plenary API: problem+json turned into words, and this device's attendee identity.
import * as store from './store.js';

/** The server refused: `message` is its problem+json `detail`, meant for the user. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `The server answered ${status}.`);
    this.status = status;
    this.problem = problem;
  }

  /** A 4xx that says the request itself is wrong: sending it again would fail again. */
  get refused() {
    return this.status >= 400 && this.status < 500 && ![401, 408, 412, 425, 429].includes(this.status);
  }
}

/** The request did not reach the server, or its answer did not come back. */
export class NoNetwork extends Error {
  constructor() { super('No connection to the server: kept on this device, sent when the network is back.'); }
}

export async function request(path, { method = 'GET', body, token, etag, ifMatch, accept = 'application/json' } = {}) {
  const headers = { Accept: `${accept}, application/problem+json` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (etag) headers['If-None-Match'] = etag;
  if (ifMatch !== undefined) headers['If-Match'] = `"${ifMatch}"`;
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: token ? 'no-store' : 'default',
    });
  } catch {
    throw new NoNetwork();
  }
  if (response.status === 304) return { status: 304, etag, data: null };
  const type = response.headers.get('content-type') || '';
  let data;
  try {
    data = type.includes('json') ? await response.json() : await response.text();
  } catch {
    throw new NoNetwork(); // the body was cut off on the way
  }
  if (!response.ok) {
    throw new ApiError(response.status, typeof data === 'object' && data ? data : { detail: String(data).slice(0, 300) });
  }
  return { status: response.status, etag: response.headers.get('etag'), data };
}

/** A label for this device in the list of linked devices, e.g. "Chrome on Android". */
export function deviceName() {
  const ua = navigator.userAgent;
  const platform = navigator.userAgentData?.platform || (/Android|iPhone|iPad|Macintosh|Windows|Linux/.exec(ua) || ['a browser'])[0];
  const browser = (/Firefox|Edg|OPR|Chrome|Safari/.exec(ua) || ['Browser'])[0].replace('Edg', 'Edge').replace('OPR', 'Opera');
  return `${browser} on ${platform}`.slice(0, 80);
}

export const identity = (slug) => store.get('kv', `identity:${slug}`);

export async function adoptIdentity(slug, registered) {
  await store.put('kv', registered, `identity:${slug}`);
  await store.remove('kv', `cursor:${slug}`);
  await store.remove('kv', `starred:${slug}`);
  return registered;
}

/** This device's attendee for the event, registered on first use (a star, a note, the calendar). */
export function ensureIdentity(slug) {
  return store.exclusively(`identity:${slug}`, async () => {
    const known = await identity(slug);
    if (known) return known;
    const displayName = (await store.get('kv', 'display-name')) || '';
    const { data } = await request(`/events/${encodeURIComponent(slug)}/attendees`, {
      method: 'POST', body: { display_name: displayName, device_name: deviceName() },
    });
    await store.put('kv', data, `identity:${slug}`);
    return data;
  });
}
