// Word search as the API does it: every word of the query must start a word of the talk (its title,
// subtitle, abstract, speakers, track and room), in any order, case and accents ignored.
const EXTRA = { ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', æ: 'ae', œ: 'oe', ß: 'ss', ı: 'i' };
const documents = new WeakMap();

export const fold = (text) => text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[øłđðþæœßı]/g, (c) => EXTRA[c]);
export const words = (text) => fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);

function document(entry) {
  if (!documents.has(entry)) {
    const text = [entry.title, entry.subtitle, entry.abstract, entry.track?.name, entry.room?.name, ...entry.speakers.map((s) => s.name)].join(' ');
    documents.set(entry, words(text));
  }
  return documents.get(entry);
}

/** A predicate for the entries that match every word of `query` (all of them for an empty query). */
export function matcher(query) {
  const wanted = words(query || '');
  if (!wanted.length) return () => true;
  return (entry) => {
    const have = document(entry);
    return wanted.every((w) => have.some((h) => h.startsWith(w)));
  };
}
