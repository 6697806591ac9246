// The portal's words in the reader's language (en, es, fr, ja — the languages of the consent
// pages). Its own words are in locales/<lang>.json; the domain's (statuses, reasons, areas,
// roles) come labelled from catalogue.json, generated from the same Fluent catalogues the
// emails use, and the API labels claim views in the language it is asked for.

const LANGUAGES = ['en', 'es', 'fr', 'ja'];
let lang = 'en';
let words = {};

/** The language to start in: ?lang=, then the last choice, then the browser's. */
export function preferred() {
  const asked = new URLSearchParams(location.search).get('lang');
  const stored = localStorage.getItem('cpor.lang');
  const browser = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2));
  return [asked, stored, ...browser].find((l) => LANGUAGES.includes(l)) ?? 'en';
}

export async function use(code) {
  const chosen = LANGUAGES.includes(code) ? code : 'en';
  const response = await fetch(`locales/${chosen}.json`);
  words = await response.json();
  lang = chosen;
  localStorage.setItem('cpor.lang', chosen);
  document.documentElement.lang = chosen;
}

export function current() {
  return lang;
}

export const languages = LANGUAGES;

/** A portal message, `{name}` replaced from `vars`. A missing one shows its key. */
export function t(key, vars = {}) {
  const text = words[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** A catalogue label object ({en, es, fr, ja}) in the current language. */
export function label(labels) {
  return labels?.[lang] ?? labels?.en ?? '';
}

/** A date and time in the reader's language and time zone. */
export function when(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A day in the reader's language. */
export function day(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(iso));
}

export function bytes(n) {
  return new Intl.NumberFormat(lang, { style: 'unit', unit: n < 1024 * 1024 ? 'kilobyte' : 'megabyte', maximumFractionDigits: 1 })
    .format(n < 1024 * 1024 ? n / 1024 : n / (1024 * 1024));
}
