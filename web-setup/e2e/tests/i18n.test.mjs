// Every text the pages ask for by a literal key is in en.json, and it.json translates every English string
// with the same {placeholders}: a missing translation shows up here, not as a raw key on a phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../lib/appliance.mjs';

const SRC = join(ROOT, 'web-setup', 'src');
const load = (lang) => JSON.parse(readFileSync(join(SRC, 'i18n', `${lang}.json`), 'utf8'));
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('every literal t(\'key\') of the scripts is in en.json', () => {
  const en = load('en');
  const missing = [];
  for (const file of readdirSync(join(SRC, 'js'))) {
    const code = readFileSync(join(SRC, 'js', file), 'utf8');
    for (const [, key] of code.matchAll(/\bt\(\s*'([^']+)'/g)) if (!(key in en)) missing.push(`${file}: ${key}`);
  }
  assert.deepEqual(missing, []);
});

test('it.json has exactly the keys of en.json, each with the same placeholders', () => {
  const en = load('en');
  const it = load('it');
  assert.deepEqual(Object.keys(it).filter((k) => !(k in en)), [], 'keys only Italian has');
  assert.deepEqual(Object.keys(en).filter((k) => !(k in it)), [], 'keys Italian lacks');
  const differing = Object.keys(en).filter((k) => placeholders(en[k]).join() !== placeholders(it[k]).join());
  assert.deepEqual(differing, [], 'strings whose placeholders differ');
});

test('dates are written only by util.js formatTime, in the page\'s chosen language (not the browser\'s)', () => {
  const offenders = [];
  for (const file of readdirSync(join(SRC, 'js'))) {
    if (file === 'util.js') continue;
    const code = readFileSync(join(SRC, 'js', file), 'utf8');
    // a bare toLocaleString() or Intl.DateTimeFormat follows the browser's locale, so an Italian page showed English dates
    for (const [hit] of code.matchAll(/\.toLocale(?:Date|Time)?String\(|Intl\.DateTimeFormat|\.toDateString\(|\.toUTCString\(/g)) offenders.push(`${file}: ${hit}`);
  }
  assert.deepEqual(offenders, []);
});
