// All user-visible text lives in i18n/<lang>.json; a translation is one more file there (and an <option> in index.html).
const SUPPORTED = ['en', 'it'];
let strings = {};
let fallback = {};
let language = 'en';

export function currentLanguage() { return language; }

async function fetchStrings(lang) {
  const response = await fetch(`i18n/${lang}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`missing translation ${lang}`);
  return response.json();
}

/** The language to start in: ?lang=, then the one chosen before, then the browser's. */
export function initialLanguage() {
  const asked = new URLSearchParams(location.search).get('lang') || localStorage.getItem('mailkeep.lang')
    || (navigator.language || 'en').slice(0, 2);
  return SUPPORTED.includes(asked) ? asked : 'en';
}

export async function loadLanguage(lang) {
  fallback = await fetchStrings('en');
  strings = lang === 'en' ? fallback : await fetchStrings(lang);
  language = lang;
  document.documentElement.lang = lang;
  localStorage.setItem('mailkeep.lang', lang);
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
}

/** The string for key with {name} placeholders filled in. */
export function t(key, vars = {}) {
  const text = strings[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] ?? `{${name}}`));
}
