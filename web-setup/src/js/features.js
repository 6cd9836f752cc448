// Wizard steps whose server side other parts of the appliance provide (network check and relay, dynamic DNS,
// DNS records, certificate, backup); the forms are the admin pages' own. Each step asks its API first; a call the
// appliance lacks (404/405/501) makes the step say so plainly: it never shows a success it did not get.
import { t } from './i18n.js';
import { h, notAvailable, copyButton } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, label } from './util.js';
import { relayPanel } from './relay.js';
import { ddnsPanel } from './ddns.js';
import { certificatePanel } from './certificate.js';
import { firstBackupForm } from './backup.js';

function unavailable(section, state, key, buttons, next) {
  state.results[key] = { state: 'unavailable' };
  section.append(notAvailable(t(`step.${key}.title`)),
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.continue'))));
}

const NETWORK_CHECKS = ['public-ip', 'port25'];

// 4. Network check: the appliance's own checks in GET /api/status (public-ip, port25, block lists), and the
// relay form (GET/PUT /api/relay) with the reason home connections usually need one.
export async function networkStep(section, state, buttons, next) {
  section.append(h('p', { class: 'working', role: 'status' }, t('network.checking')));
  const status = await api('GET', '/api/status');
  section.querySelector('.working').remove();
  const checks = status.ok ? status.data.health.checks.filter((c) => NETWORK_CHECKS.includes(c.name) || /blocklist|reputation/.test(c.name)) : [];
  if (!checks.length) {
    state.results.network = { state: 'unavailable' };
    section.append(notAvailable(t('step.network.title')));
  } else {
    const needsRelay = checks.some((c) => c.level !== 'ok');
    section.append(h('ul', { class: 'checks' }, checks.map((c) => h('li', { class: `check ${c.level}` },
      h('span', { class: `badge ${c.level}` }, t(`health.level.${c.level}`)), ' ', h('strong', {}, label(`check.${c.name}`, c.name)), `: ${c.reason}`))),
    h('p', { class: `notice ${needsRelay ? 'warning' : 'ok'}` }, t(needsRelay ? 'network.useRelay' : 'network.direct')));
    state.results.network = { state: 'ok', note: t(needsRelay ? 'network.relayNote' : 'network.directNote') };
  }
  section.append(h('h2', {}, t('relay.title')));
  await relayPanel(section, { onSaved: (saved) => {
    if (saved && saved.host) state.results.network = { state: 'ok', note: t('relay.savedNote', { host: saved.host }) };
  } });
  section.append(buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

// 5. Dynamic DNS (optional): the same form as the admin page; its result is the updater's real state.
export async function ddnsStep(section, state, buttons, next) {
  state.results.ddns = state.results.ddns || { state: 'skipped' };
  const present = await ddnsPanel(section, { onState: (d) => {
    if (d.state === 'OFF') return;
    state.results.ddns = { state: d.state === 'OK' ? 'ok' : 'pending', note: d.lastError || '' };
  } });
  if (!present) state.results.ddns = { state: 'unavailable' };
  section.append(buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t(present ? 'ddns.skipOrNext' : 'common.continue'))));
}

// 6. DNS records: GET /api/dns/records (docs/interface.md) — a table to copy from, re-checked on demand.
export async function dnsStep(section, state, buttons, next) {
  const table = h('div', { class: 'records', 'aria-live': 'polite' });
  const again = h('button', { type: 'button', class: 'secondary', id: 'check-again' }, t('dns.checkAgain'));
  const load = async () => {
    again.disabled = true;
    again.textContent = t('dns.checking');
    const result = await api('GET', '/api/dns/records');
    again.disabled = false;
    again.textContent = t('dns.checkAgain');
    if (isUnavailable(result)) {
      table.replaceChildren(notAvailable(t('step.dns.title')));
      again.hidden = true;
      state.results.dns = { state: 'unavailable' };
      return;
    }
    if (!result.ok) { table.replaceChildren(h('p', { class: 'notice warning', role: 'alert' }, apiMessage(result))); return; }
    const rows = await Promise.all(result.data.map(async (r) => h('tr', { class: `status-${r.status}` },
      h('td', { 'data-label': t('dns.type') }, r.type),
      h('td', { 'data-label': t('dns.name') }, h('code', {}, r.name), ' ', await copyButton(r.name, t('dns.copyName', { type: r.type }))),
      h('td', { 'data-label': t('dns.value') }, h('code', { class: 'value' }, r.value), ' ', await copyButton(r.value, t('dns.copyValue', { type: r.type }))),
      h('td', { 'data-label': t('dns.purpose') }, r.purpose),
      h('td', { 'data-label': t('dns.status') }, h('span', { class: `badge ${r.status}` }, t(`dns.status.${r.status}`))))));
    table.replaceChildren(h('table', {},
      h('caption', { class: 'sr-only' }, t('step.dns.title')),
      h('thead', {}, h('tr', {}, ['type', 'name', 'value', 'purpose', 'status'].map((c) => h('th', { scope: 'col' }, t(`dns.${c}`))))),
      h('tbody', {}, rows)));
    const missing = result.data.filter((r) => r.status !== 'ok').length;
    state.results.dns = missing ? { state: 'pending', note: t('dns.pendingNote', { n: missing }) } : { state: 'ok' };
  };
  again.addEventListener('click', load);
  section.append(table, h('div', { class: 'inline-buttons' }, again),
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
  await load();
}

// 7. Certificate: the served certificate and its ACME state; "request" follows the order until it ends.
export async function certificateStep(section, state, buttons, next) {
  const present = await certificatePanel(section, { onShown: (c) => {
    state.results.certificate = { state: c.selfSigned ? 'pending' : 'ok', note: c.selfSigned ? t('certificate.selfSignedNote') : '' };
  } });
  if (!present) {
    state.results.certificate = { state: 'unavailable', note: t('certificate.selfSignedNote') };
    section.append(h('p', {}, t('certificate.selfSignedExplained')));
  }
  section.append(buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t(present ? 'common.next' : 'common.continue'))));
}

// 9. Backup: choose the passphrase and run the first backup, with the server's progress.
export async function backupStep(section, state, buttons, next) {
  state.results.backup = state.results.backup || { state: 'skipped' };
  const present = await firstBackupForm(section, (result) => { state.results.backup = result; });
  if (!present) return unavailable(section, state, 'backup', buttons, next);
  section.append(buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}
