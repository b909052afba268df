// Building HTML as strings, with every interpolated value escaped unless it is already markup.
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export class Markup {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

export const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);

function piece(value) {
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === false || value === null || value === undefined) return '';
  return escape(value);
}

/** html`<p>${text}</p>`: text is escaped, nested html`` and arrays of it are kept as markup. */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => { out += piece(value) + strings[i + 1]; });
  return new Markup(out);
}

/** Trusted markup from our own code (an SVG the QR encoder drew). */
export const trusted = (text) => new Markup(text);
