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

/** A settings form saved with PUT; the server's answer (or its error at the field) is shown, never assumed. */
function settingsForm({ fields, savePath, current, toBody, onSaved }) {
  const status = h('p', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    fields.map((f) => field({ ...f, value: current && current[f.name] !== undefined && current[f.name] !== null && f.type !== 'password' ? String(current[f.name]) : '' })),
    formError(), status,
    h('button', { type: 'submit', class: 'secondary' }, t('common.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    status.className = 'test-result';
    status.textContent = t('common.working');
    const values = Object.fromEntries(fields.map((f) => [f.name, form[f.name].value.trim()]));
    const result = await api('PUT', savePath, toBody(values));
    status.textContent = '';
    if (!result.ok) return showError(form, result.data && result.data.field, apiMessage(result));
    await onSaved(result.data, status);
  });
  return form;
}

const NETWORK_CHECKS = ['public-ip', 'port25'];

/** The translated label for key, or fallback when the language file has none (a check the page does not know). */
function label(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

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
      h('span', { class: `badge ${c.level}` }, t(`health.level.${c.level}`)), ' ', h('strong', {}, label(`network.check.${c.name}`, c.name)), `: ${c.reason}`))),
    h('p', { class: `notice ${needsRelay ? 'warning' : 'ok'}` }, t(needsRelay ? 'network.useRelay' : 'network.direct')));
    state.results.network = { state: 'ok', note: t(needsRelay ? 'network.relayNote' : 'network.directNote') };
  }
  const relay = await api('GET', '/api/relay');
  section.append(h('h2', {}, t('relay.title')));
  if (isUnavailable(relay)) {
    section.append(h('div', { class: 'relay' }, notAvailable(t('relay.title'))));
  } else {
    section.append(h('p', {}, t('relay.why')), settingsForm({
      fields: [
        { name: 'host', label: t('relay.host'), placeholder: 'smtp.relay.example' },
        { name: 'port', label: t('relay.port'), inputmode: 'numeric', placeholder: '587' },
        { name: 'username', label: t('relay.username'), autocomplete: 'username' },
        { name: 'password', label: t('relay.password'), type: 'password', autocomplete: 'new-password', hint: relay.data && relay.data.passwordSet ? t('relay.passwordKept') : '' }],
      savePath: '/api/relay', current: relay.data,
      // fallback: direct delivery, the relay only when port 25 or the IP's reputation gets in the way
      toBody: (v) => ({ mode: 'fallback', host: v.host, port: v.port ? Number(v.port) : undefined, username: v.username || undefined, password: v.password || undefined }),
      onSaved: (saved, line) => {
        line.textContent = saved && saved.relayProblem ? saved.relayProblem : t('relay.saved');
        line.className = `test-result ${saved && saved.relayProblem ? 'error' : 'ok'}`;
        state.results.network = { state: 'ok', note: t('relay.saved') };
      },
    }));
  }
  section.append(buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

// 5. Dynamic DNS (optional): PUT /api/ddns/settings, then GET /api/ddns shows the real outcome of the update.
export async function ddnsStep(section, state, buttons, next) {
  const current = await api('GET', '/api/ddns/settings');
  if (isUnavailable(current)) return unavailable(section, state, 'ddns', buttons, next);
  state.results.ddns = state.results.ddns || { state: 'skipped' };
  section.append(settingsForm({
    fields: [
      { name: 'provider', label: t('ddns.provider'), hint: t('ddns.providerHint') },
      { name: 'hostname', label: t('ddns.hostname') },
      { name: 'username', label: t('ddns.username'), autocomplete: 'username' },
      { name: 'password', label: t('ddns.password'), type: 'password', autocomplete: 'new-password' }],
    savePath: '/api/ddns/settings', current: current.data,
    toBody: (v) => ({ method: 'dyndns2', provider: v.provider, hostname: v.hostname || undefined, username: v.username, password: v.password || undefined }),
    onSaved: async (saved, line) => {
      // the update itself runs in the background: follow its state until it settles
      for (let i = 0; i < 60; i++) {
        const s = await api('GET', '/api/ddns');
        if (!s.ok) break;
        line.textContent = t(`ddns.state.${s.data.state}`, { ip: s.data.publishedIpv4 || s.data.publishedIpv6 || '', error: s.data.lastError || '' });
        line.className = `test-result ${s.data.state === 'OK' ? 'ok' : s.data.state === 'PENDING' ? '' : 'error'}`;
        if (s.data.state !== 'PENDING') {
          state.results.ddns = { state: s.data.state === 'OK' ? 'ok' : 'pending', note: s.data.lastError || '' };
          break;
        }
        await sleep(1000);
      }
    },
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

// 7. Certificate: GET /api/tls/certificate (with its ACME state); POST /api/tls/certificate/renew orders one now.
export async function certificateStep(section, state, buttons, next) {
  const result = await api('GET', '/api/tls/certificate');
  if (isUnavailable(result)) {
    state.results.certificate = { state: 'unavailable', note: t('certificate.selfSignedNote') };
    section.append(notAvailable(t('step.certificate.title')), h('p', {}, t('certificate.selfSignedExplained')),
      buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.continue'))));
    return;
  }
  const info = h('div', { role: 'status', 'aria-live': 'polite' });
  const show = (c) => {
    const acme = c.acme || {};
    info.replaceChildren(h('dl', { class: 'facts' },
      h('dt', {}, t('certificate.kind')), h('dd', {}, t(c.selfSigned ? 'certificate.selfSigned' : 'certificate.trusted')),
      h('dt', {}, t('certificate.names')), h('dd', {}, (c.names || []).join(', ')),
      h('dt', {}, t('certificate.expires')), h('dd', {}, c.notAfter || '?'),
      h('dt', {}, t('certificate.acme')), h('dd', {}, acme.state || '?', acme.lastError ? ` — ${acme.lastError}` : '')));
    state.results.certificate = { state: c.selfSigned ? 'pending' : 'ok', note: c.selfSigned ? t('certificate.selfSignedNote') : '' };
  };
  show(result.data || {});
  const request = h('button', { type: 'button', class: 'secondary' }, t('certificate.request'));
  request.addEventListener('click', async () => {
    request.disabled = true;
    const started = await api('POST', '/api/tls/certificate/renew');
    if (!started.ok) { info.append(h('p', { class: 'error', role: 'alert' }, apiMessage(started))); request.disabled = false; return; }
    // real progress: the ACME order's own state, polled until it is no longer issuing
    for (let i = 0; i < 300; i++) {
      await sleep(1000);
      const now = await api('GET', '/api/tls/certificate');
      if (!now.ok) break;
      show(now.data);
      if (!now.data.acme || now.data.acme.state !== 'ISSUING') break;
    }
    request.disabled = false;
  });
  section.append(h('p', {}, t('certificate.selfSignedExplained')), info, request,
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

/** Follows GET /api/backups/progress (204 when idle) into line until the operation ends; true when it ran. */
async function followProgress(line) {
  for (let i = 0; i < 7200; i++) {
    const p = await api('GET', '/api/backups/progress');
    if (p.status === 204 || !p.ok || !p.data) return i > 0;
    const percent = p.data.bytesTotal ? Math.floor((100 * p.data.bytesDone) / p.data.bytesTotal) : null;
    line.replaceChildren(
      t(`backup.phase.${p.data.operation}`, { phase: p.data.phase || '', done: formatBytes(p.data.bytesDone), total: formatBytes(p.data.bytesTotal),
        files: p.data.filesDone ?? '', filesTotal: p.data.filesTotal ?? '' }),
      percent === null ? '' : h('progress', { max: '100', value: String(percent), 'aria-label': t('backup.progressLabel') }));
    await sleep(1000);
  }
  return true;
}

// 9. Backup: PUT /api/backup/settings {passphrase}, POST /api/backups → {id}; progress from /api/backups/progress.
export async function backupStep(section, state, buttons, next) {
  const settings = await api('GET', '/api/backup/settings');
  if (isUnavailable(settings)) return unavailable(section, state, 'backup', buttons, next);
  state.results.backup = state.results.backup || { state: 'skipped' };
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    settings.ok && settings.data.target ? h('p', {}, t('backup.target', { target: settings.data.target })) : null,
    field({ name: 'passphrase', label: t('backup.passphrase'), type: 'password', autocomplete: 'new-password', hint: t('backup.passphraseHint') }),
    formError(), progress,
    h('button', { type: 'submit', class: 'secondary' }, t('backup.run')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const saved = await api('PUT', '/api/backup/settings', { passphrase: form.passphrase.value });
    if (!saved.ok) return showError(form, (saved.data && saved.data.field) || 'passphrase', apiMessage(saved));
    const started = await api('POST', '/api/backups');
    if (!started.ok) return showError(form, null, apiMessage(started));
    await followProgress(progress);
    const all = await api('GET', '/api/backups');
    const run = all.ok && all.data.find((b) => b.id === started.data.id);
    if (run) {
      progress.textContent = t(`backup.${run.state}`, { bytes: formatBytes(run.bytes), error: run.error || '' });
      state.results.backup = { state: run.state === 'ok' ? 'ok' : 'pending', note: run.error || formatBytes(run.bytes) };
    }
  });
  section.append(h('p', {}, t('backup.plugIn')), form,
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
}

// Step 1's alternative: GET /api/restore lists the backups on the stick; POST /api/restore {token, backupId,
// passphrase}; progress from /api/backups/progress, then the page reloads into the restored box.
export function restoreForm(currentToken) {
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, class: 'restore-form' },
    h('p', {}, t('restore.explain')),
    field({ name: 'restoreToken', label: t('claim.token'), value: currentToken() }),
    field({ name: 'backupId', label: t('restore.backupId'), hint: t('restore.backupIdHint') }),
    field({ name: 'restorePassphrase', label: t('backup.passphrase'), type: 'password', autocomplete: 'current-password' }),
    formError(), progress,
    h('button', { type: 'submit', class: 'secondary' }, t('restore.start')));
  api('GET', '/api/restore').then((list) => {
    if (isUnavailable(list)) { form.replaceChildren(notAvailable(t('restore.title'))); return; }
    if (list.ok && list.data.length) {
      form.backupId.value = list.data[0].id;
      form.querySelector('#f-backupId-hint').textContent = t('restore.found', { ids: list.data.map((b) => b.id).join(', ') });
    }
  });
  const fieldNames = { token: 'restoreToken', passphrase: 'restorePassphrase', backupId: 'backupId' };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const result = await api('POST', '/api/restore', { token: form.restoreToken.value.trim(), backupId: form.backupId.value.trim(), passphrase: form.restorePassphrase.value });
    if (!result.ok) return showError(form, fieldNames[result.data && result.data.field] || null, apiMessage(result, { 403: 'claim.wrongToken' }));
    await followProgress(progress);
    location.reload();
  });
  return form;
}
