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

// 6. DNS records: GET /api/dns/records (docs/interface.md) in three groups — needed to receive mail, needed to send
// mail well, recommended — each with its own live check; the whole set also as a zone file (GET /api/dns/zone) to
// download or copy at once, for DNS providers that import one.
const DNS_GROUPS = ['receive', 'send', 'recommended'];

export async function dnsStep(section, state, buttons, next) {
  const body = h('div', { class: 'records' });
  const zoneLine = h('p', { class: 'hint' }, t('dns.zoneHint'));
  const zone = h('div', { class: 'zone-file' });
  const groups = Object.fromEntries(DNS_GROUPS.map((g) => [g, recordGroup(g)]));
  const results = {}; // group → the rows of its last check

  const summarize = () => {
    const all = Object.values(results).flat();
    const missing = all.filter((r) => r.status !== 'ok').length;
    state.results.dns = missing ? { state: 'pending', note: t('dns.pendingNote', { n: missing }) } : { state: 'ok' };
  };

  /** Shows the rows of one group and its verdict: all found, some not found yet or different, or some not checked. */
  async function show(group, rows) {
    results[group] = rows;
    const g = groups[group];
    const bad = rows.filter((r) => r.status === 'missing' || r.status === 'wrong').length;
    const unchecked = rows.filter((r) => r.status === 'unchecked').length;
    const level = bad ? 'warning' : unchecked ? 'unchecked' : 'ok';
    g.verdict.className = `group-check notice ${level === 'ok' ? 'ok' : 'warning'}`;
    g.verdict.dataset.level = level;
    g.verdict.textContent = bad ? t('dns.groupBad', { bad, n: rows.length })
      : unchecked ? t('dns.groupUnchecked', { unchecked, n: rows.length }) : t('dns.groupOk', { n: rows.length });
    g.table.replaceChildren(h('table', {},
      h('caption', { class: 'sr-only' }, t(`dns.group.${group}`)),
      h('thead', {}, h('tr', {}, ['type', 'name', 'value', 'purpose', 'status'].map((c) => h('th', { scope: 'col' }, t(`dns.${c}`))))),
      h('tbody', {}, await Promise.all(rows.map(async (r) => h('tr', { class: `status-${r.status}`, 'data-type': r.type, 'data-name': r.name },
        h('td', { 'data-label': t('dns.type') }, r.type),
        h('td', { 'data-label': t('dns.name') }, h('code', {}, r.name), ' ', await copyButton(r.name, t('dns.copyName', { type: r.type }))),
        h('td', { 'data-label': t('dns.value') }, h('code', { class: 'value' }, r.value), ' ', await copyButton(r.value, t('dns.copyValue', { type: r.type }))),
        h('td', { 'data-label': t('dns.purpose') }, r.purpose),
        h('td', { 'data-label': t('dns.status') }, h('span', { class: `badge ${r.status}` }, t(`dns.status.${r.status}`)),
          r.found && r.status !== 'ok' ? h('span', { class: 'muted found' }, ` ${r.found}`) : null)))))));
    g.box.hidden = rows.length === 0;
  }

  function recordGroup(group) {
    const verdict = h('p', { class: 'group-check', role: 'status', 'aria-live': 'polite' }, t('dns.checking'));
    const again = h('button', { type: 'button', class: 'small secondary', 'data-action': 'check', 'aria-label': t('dns.checkGroupAgain', { group: t(`dns.group.${group}`) }) },
      t('dns.checkAgain'));
    const table = h('div', {});
    const box = h('section', { class: 'record-group', 'data-group': group, 'aria-labelledby': `dns-group-${group}` },
      h('h2', { id: `dns-group-${group}` }, t(`dns.group.${group}`)), h('p', { class: 'muted' }, t(`dns.group.${group}.explain`)),
      h('div', { class: 'inline-buttons' }, verdict, again), table);
    again.addEventListener('click', async () => {
      again.disabled = true;
      verdict.textContent = t('dns.checking');
      const result = await api('GET', `/api/dns/records?group=${group}`);
      again.disabled = false;
      if (!result.ok) { verdict.className = 'group-check notice warning'; verdict.textContent = apiMessage(result); return; }
      await show(group, result.data);
      summarize();
    });
    return { box, verdict, table };
  }

  section.append(body, buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
  body.replaceChildren(h('p', { class: 'working', role: 'status' }, t('dns.checking')));
  const [result, zoneText] = await Promise.all([api('GET', '/api/dns/records'), fetchZone()]);
  if (isUnavailable(result)) {
    body.replaceChildren(notAvailable(t('step.dns.title')));
    state.results.dns = { state: 'unavailable' };
    return;
  }
  if (!result.ok) { body.replaceChildren(h('p', { class: 'notice warning', role: 'alert' }, apiMessage(result))); return; }
  if (zoneText !== null) {
    zone.append(h('div', { class: 'inline-buttons' },
      h('a', { class: 'button-link', id: 'zone-download', href: '/api/dns/zone', download: '' }, t('dns.zoneDownload')),
      Object.assign(await copyButton(zoneText, t('dns.copyAll'), t('dns.copyAll')), { id: 'zone-copy' })), zoneLine);
  }
  body.replaceChildren(zone, ...DNS_GROUPS.map((g) => groups[g].box));
  await Promise.all(DNS_GROUPS.map((g) => show(g, result.data.filter((r) => r.group === g))));
  summarize();
}

/** The zone-file fragment's text (for "copy all"), or null when the appliance cannot give it. */
async function fetchZone() {
  try {
    const response = await fetch('/api/dns/zone', { headers: { 'X-Requested-With': 'mailkeep' }, credentials: 'same-origin' });
    return response.ok ? response.text() : null;
  } catch {
    return null;
  }
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
