// Wizard steps whose server side other parts of the appliance provide (network check and relay, dynamic DNS,
// DNS records, certificate, backup and restore). Each step asks its API first; a 404 or 501 answer means the
// feature is not in this appliance yet, and the step says so plainly: it never shows a success it did not get.
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, notAvailable, copyButton } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatBytes, sleep } from './util.js';

function unavailable(section, state, key, buttons, next) {
  state.results[key] = { state: 'unavailable' };
  section.append(notAvailable(t(`step.${key}.title`)),
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.continue'))));
}

/** A form whose "test" button really calls the server (relay login, DDNS update) and shows its answer. */
function settingsForm({ fields, testPath, savePath, current, onSaved }) {
  const status = h('p', { class: 'test-result', role: 'status' });
  const form = h('form', { novalidate: true },
    fields.map((f) => field({ ...f, value: current && current[f.name] !== undefined && f.type !== 'password' ? current[f.name] : '' })),
    formError(), status,
    h('div', { class: 'inline-buttons' },
      h('button', { type: 'button', class: 'secondary', 'data-action': 'test' }, t('common.test')),
      h('button', { type: 'submit', class: 'primary' }, t('common.save'))));
  const body = () => Object.fromEntries(fields.map((f) => [f.name, f.type === 'number' ? Number(form[f.name].value) : form[f.name].value.trim()]));
  async function send(method, path, okKey) {
    clearErrors(form);
    status.textContent = t('common.working');
    const result = await api(method, path, body());
    status.textContent = '';
    if (isUnavailable(result) && !(result.data && result.data.field)) { status.textContent = t('common.notAvailable'); return false; }
    if (!result.ok) { showError(form, result.data && result.data.field, apiMessage(result)); return false; }
    status.textContent = (result.data && result.data.message) || t(okKey);
    status.className = 'test-result ok';
    return true;
  }
  form.querySelector('[data-action=test]').addEventListener('click', () => send('POST', testPath, 'common.testOk'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await send('PUT', savePath, 'common.saved')) onSaved();
  });
  return form;
}

// 4. Network check: GET /api/network → {publicIp, port25Outbound, listed: [...], recommendation: "direct"|"relay", reason}
export async function networkStep(section, state, buttons, next) {
  section.append(h('p', { class: 'working', role: 'status' }, t('network.checking')));
  const result = await api('GET', '/api/network');
  section.querySelector('.working').remove();
  if (isUnavailable(result)) return unavailable(section, state, 'network', buttons, next);
  if (!result.ok) {
    section.append(h('p', { class: 'notice warning', role: 'alert' }, apiMessage(result)));
  } else {
    const n = result.data;
    section.append(h('dl', { class: 'facts' },
      h('dt', {}, t('network.publicIp')), h('dd', {}, n.publicIp || '?'),
      h('dt', {}, t('network.port25')), h('dd', {}, t(n.port25Outbound ? 'network.open' : 'network.blocked')),
      h('dt', {}, t('network.reputation')), h('dd', {}, n.listed && n.listed.length ? t('network.listed', { lists: n.listed.join(', ') }) : t('network.clean'))),
    h('p', { class: `notice ${n.recommendation === 'relay' ? 'warning' : 'ok'}` },
      t(n.recommendation === 'relay' ? 'network.useRelay' : 'network.direct'), n.reason ? ` ${n.reason}` : ''));
    state.results.network = { state: 'ok', note: t(n.recommendation === 'relay' ? 'network.relayNote' : 'network.directNote') };
  }
  const relay = await api('GET', '/api/relay');
  if (isUnavailable(relay)) {
    section.append(h('h2', {}, t('relay.title')), notAvailable(t('relay.title')));
  } else {
    section.append(h('h2', {}, t('relay.title')), h('p', {}, t('relay.why')), settingsForm({
      fields: [
        { name: 'host', label: t('relay.host'), placeholder: 'smtp.relay.example' },
        { name: 'port', label: t('relay.port'), type: 'number', inputmode: 'numeric' },
        { name: 'username', label: t('relay.username'), autocomplete: 'username' },
        { name: 'password', label: t('relay.password'), type: 'password', autocomplete: 'new-password' }],
      testPath: '/api/relay/test', savePath: '/api/relay', current: relay.data,
      onSaved: () => { state.results.network = { state: 'ok', note: t('relay.saved') }; },
    }));
  }
  section.append(buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

// 5. Dynamic DNS (optional): GET/PUT /api/ddns, POST /api/ddns/test
export async function ddnsStep(section, state, buttons, next) {
  const result = await api('GET', '/api/ddns');
  if (isUnavailable(result)) return unavailable(section, state, 'ddns', buttons, next);
  state.results.ddns = state.results.ddns || { state: 'skipped' };
  section.append(settingsForm({
    fields: [
      { name: 'provider', label: t('ddns.provider'), hint: t('ddns.providerHint') },
      { name: 'hostname', label: t('ddns.hostname') },
      { name: 'username', label: t('ddns.username'), autocomplete: 'username' },
      { name: 'password', label: t('ddns.password'), type: 'password', autocomplete: 'new-password' }],
    testPath: '/api/ddns/test', savePath: '/api/ddns', current: result.data,
    onSaved: () => { state.results.ddns = { state: 'ok' }; },
  }), buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('ddns.skipOrNext'))));
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

// 7. Certificate: GET /api/certificate → {selfSigned, names, notAfter, state, message}; POST /api/certificate starts ACME.
export async function certificateStep(section, state, buttons, next) {
  const result = await api('GET', '/api/certificate');
  if (isUnavailable(result)) {
    state.results.certificate = { state: 'unavailable', note: t('certificate.selfSignedNote') };
    section.append(notAvailable(t('step.certificate.title')), h('p', {}, t('certificate.selfSignedExplained')),
      buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.continue'))));
    return;
  }
  const info = h('div', { role: 'status', 'aria-live': 'polite' });
  const show = (c) => {
    info.replaceChildren(h('dl', { class: 'facts' },
      h('dt', {}, t('certificate.kind')), h('dd', {}, t(c.selfSigned ? 'certificate.selfSigned' : 'certificate.trusted')),
      h('dt', {}, t('certificate.names')), h('dd', {}, (c.names || []).join(', ')),
      h('dt', {}, t('certificate.expires')), h('dd', {}, c.notAfter || '?')),
    c.message ? h('p', { class: 'progress-message' }, c.message) : null);
    state.results.certificate = { state: c.selfSigned ? 'pending' : 'ok', note: c.selfSigned ? t('certificate.selfSignedNote') : '' };
  };
  show(result.data || {});
  const request = h('button', { type: 'button', class: 'secondary' }, t('certificate.request'));
  request.addEventListener('click', async () => {
    request.disabled = true;
    const started = await api('POST', '/api/certificate');
    if (!started.ok) { info.append(h('p', { class: 'error', role: 'alert' }, apiMessage(started))); request.disabled = false; return; }
    // real progress: the server's own state and message, polled until it ends
    for (let i = 0; i < 300; i++) {
      const now = await api('GET', '/api/certificate');
      if (!now.ok) break;
      show(now.data);
      if (now.data.state !== 'running' && now.data.state !== 'requesting') break;
      await sleep(1000);
    }
    request.disabled = false;
  });
  section.append(h('p', {}, t('certificate.selfSignedExplained')), info, request,
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

// 9. Backup: PUT /api/backup/settings {passphrase}, POST /api/backups → {id}, GET /api/backups for progress (bytes).
export async function backupStep(section, state, buttons, next) {
  const list = await api('GET', '/api/backups');
  if (isUnavailable(list)) return unavailable(section, state, 'backup', buttons, next);
  state.results.backup = state.results.backup || { state: 'skipped' };
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    field({ name: 'passphrase', label: t('backup.passphrase'), type: 'password', autocomplete: 'new-password', hint: t('backup.passphraseHint') }),
    formError(), progress,
    h('button', { type: 'submit', class: 'secondary' }, t('backup.run')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const settings = await api('PUT', '/api/backup/settings', { passphrase: form.passphrase.value });
    if (!settings.ok) return showError(form, (settings.data && settings.data.field) || 'passphrase', apiMessage(settings));
    const started = await api('POST', '/api/backups');
    if (!started.ok) return showError(form, null, apiMessage(started));
    for (let i = 0; i < 3600; i++) {
      const all = await api('GET', '/api/backups');
      const run = all.ok && all.data.find((b) => b.id === started.data.id);
      if (!run) break;
      progress.textContent = t(`backup.${run.state}`, { bytes: formatBytes(run.bytes), error: run.error || '' });
      if (run.state !== 'running') {
        state.results.backup = { state: run.state === 'ok' ? 'ok' : 'pending', note: run.error || formatBytes(run.bytes) };
        break;
      }
      await sleep(1000);
    }
  });
  section.append(h('p', {}, t('backup.plugIn')), form,
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

// Step 1's alternative: POST /api/restore {token, backupId, passphrase}; progress in GET /api/status.
export function restoreForm(currentToken) {
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, class: 'restore-form' },
    h('p', {}, t('restore.explain')),
    field({ name: 'restoreToken', label: t('claim.token'), value: currentToken() }),
    field({ name: 'backupId', label: t('restore.backupId'), hint: t('restore.backupIdHint') }),
    field({ name: 'restorePassphrase', label: t('backup.passphrase'), type: 'password', autocomplete: 'current-password' }),
    formError(), progress,
    h('button', { type: 'submit', class: 'secondary' }, t('restore.start')));
  const fieldNames = { token: 'restoreToken', passphrase: 'restorePassphrase', backupId: 'backupId' };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const result = await api('POST', '/api/restore', { token: form.restoreToken.value.trim(), backupId: form.backupId.value.trim(), passphrase: form.restorePassphrase.value });
    if (isUnavailable(result) && !(result.data && result.data.field)) { form.replaceChildren(notAvailable(t('restore.title'))); return; }
    if (!result.ok) return showError(form, fieldNames[result.data && result.data.field] || null, apiMessage(result, { 403: 'claim.wrongToken' }));
    for (let i = 0; i < 3600; i++) {
      const status = await api('GET', '/api/status');
      const r = status.ok && status.data.restore;
      progress.textContent = r ? (r.message || r.state) : t('common.working');
      if (status.ok && status.data.setupComplete) { location.reload(); return; }
      if (r && r.state === 'failed') return;
      await sleep(1000);
    }
  });
  return form;
}
