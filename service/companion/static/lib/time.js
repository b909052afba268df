// Times in the event's zone, or in this phone's when the attendee switches (kept in localStorage).
const KEY = 'plenary.zone';
const formats = new Map();

export const phoneZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
export const usePhoneZone = () => localStorage.getItem(KEY) === 'phone';
export const setPhoneZone = (on) => localStorage.setItem(KEY, on ? 'phone' : 'event');
export const shownZone = (eventZone) => (usePhoneZone() ? phoneZone() : eventZone);

function format(zone, options) {
  const key = `${zone}|${JSON.stringify(options)}`;
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone }));
  return formats.get(key);
}

export const clock = (iso, eventZone) => format(shownZone(eventZone), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
export const span = (entry, zone) => `${clock(entry.start, zone)}–${clock(entry.end, zone)}`;
/** A schedule day (an ISO date of the event's calendar) as words: "Friday 20 June". */
export const dayName = (date, style = 'long') => format('UTC', { weekday: style, day: 'numeric', month: style }).format(new Date(`${date}T12:00:00Z`));
export const dateTime = (iso, zone) => format(shownZone(zone), { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

function offsetMinutes(zone, instant) {
  const parts = Object.fromEntries(format(zone, {
    year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
  }).formatToParts(instant).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return Math.round((asUtc - instant.getTime()) / 60000);
}

/** An instant from `?at=`: with an offset as given, without one as the event's local time (as the API reads it). */
export function instantFrom(text, eventZone) {
  if (!text) return new Date();
  if (/([zZ]|[+-]\d\d:?\d\d)$/.test(text)) return new Date(text);
  const naive = new Date(`${text}Z`);
  if (Number.isNaN(naive.getTime())) return new Date();
  const guess = new Date(naive.getTime() - offsetMinutes(eventZone, naive) * 60000);
  return new Date(naive.getTime() - offsetMinutes(eventZone, guess) * 60000);
}
