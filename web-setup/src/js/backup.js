// Backup and restore: settings (PUT /api/backup/settings), the sticks plugged in (GET /api/backup/sticks),
// "back up now" (POST /api/backups) with the server's progress (GET /api/backups/progress), the list of runs
// (GET /api/backups) with verify, restore one mailbox, restore everything (POST /api/restore), mbox export,
// and the first-boot wizard's "restore from a USB backup" (GET/POST /api/restore, progress in GET /api/status).
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, notAvailable, resultLine, panelActions } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatBytes, formatTime, label, sleep } from './util.js';

const enc = encodeURIComponent;

/**
 * Follows a running backup or restore into line until it ends, from GET /api/backups/progress (after setup) or
 * from the operation in GET /api/status (before setup, when only that answers). Resolves the last /api/status
 * read (status source) or null. Shows bytes, files, a bar and an estimate of the time left. Stops, resolving
 * null, once line has left the page (the admin went to another section).
 */
async function followProgress(line, { source = 'backups' } = {}) {
  let first = null;
  let unanswered = 0;
  let shown = false;
  for (;;) {
    if (line.isConnected) shown = true;
    else if (shown) return null;
    let op;
    let status = null;
    if (source === 'status') {
      const s = await api('GET', '/api/status');
      if (!s.ok) { // the box may be busy switching to the restored state; after two minutes, say so
        if (++unanswered > 120) { resultLine(line, false, apiMessage(s)); return null; }
        await sleep(1000);
        continue;
      }
      unanswered = 0;
      status = s.data;
      op = s.data.operation;
    } else {
      const p = await api('GET', '/api/backups/progress');
      op = p.status === 200 ? p.data : null;
      if (!p.ok) return null;
    }
    if (!op) return status;
    const now = Date.now();
    if (!first || first.id !== op.id) first = { id: op.id, at: now, bytes: op.bytesDone };
    const rate = (op.bytesDone - first.bytes) / ((now - first.at) / 1000);
    const left = rate > 0 && op.bytesTotal > op.bytesDone ? Math.ceil((op.bytesTotal - op.bytesDone) / rate) : null;
    const percent = op.bytesTotal ? Math.min(100, Math.floor((100 * op.bytesDone) / op.bytesTotal)) : null;
    line.className = 'progress-message';
    line.replaceChildren(
      h('span', { class: 'progress-text' }, t(`backup.phase.${op.operation}`, { phase: label(`backup.phaseName.${op.phase}`, op.phase),
        done: formatBytes(op.bytesDone), total: formatBytes(op.bytesTotal), files: op.filesDone, filesTotal: op.filesTotal }),
      left === null ? '' : ` ${t('backup.timeLeft', { seconds: left })}`),
      percent === null ? '' : h('progress', { max: '100', value: String(percent), 'aria-label': t('backup.progressLabel') }));
    await sleep(700);
  }
}

/** The wizard's backup step: choose the passphrase, run the first backup; onResult({state, note}). */
export async function firstBackupForm(section, onResult) {
  const settings = await api('GET', '/api/backup/settings');
  if (isUnavailable(settings)) return false;
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true },
    settings.ok && settings.data.target ? h('p', {}, t('backup.target', { target: settings.data.target })) : null,
    field({ name: 'passphrase', label: t('backup.passphrase'), type: 'password', autocomplete: 'new-password', hint: t('backup.passphraseHint') }),
    formError(), progress,
    h('button', { type: 'submit', class: 'secondary' }, t('backup.run')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const saved = await api('PUT', '/api/backup/settings', { passphrase: form.elements.passphrase.value });
    if (!saved.ok) return showError(form, (saved.data && saved.data.field) || 'passphrase', apiMessage(saved));
    const run = await backUpNow(progress);
    if (run) onResult({ state: run.state === 'ok' ? 'ok' : 'pending', note: run.error || formatBytes(run.bytes) });
  });
  section.append(h('p', {}, t('backup.plugIn')), await sticksList(), form);
  return true;
}

/** POST /api/backups, then its progress; resolves the finished run (or null after showing why it did not start). */
async function backUpNow(line) {
  resultLine(line, null, t('backup.starting'));
  const started = await api('POST', '/api/backups');
  if (!started.ok) { resultLine(line, false, apiMessage(started)); return null; }
  await followProgress(line);
  const all = await api('GET', '/api/backups');
  const run = all.ok && all.data.find((b) => b.id === started.data.id);
  if (run) resultLine(line, run.state === 'ok', t(`backup.${run.state}`, { bytes: formatBytes(run.bytes), files: run.files, newFiles: run.newFiles, error: run.error || '' }));
  return run || null;
}

async function sticksList() {
  const box = h('div', { class: 'sticks' }, h('h2', {}, t('backup.sticks')));
  const sticks = await api('GET', '/api/backup/sticks');
  if (isUnavailable(sticks)) box.append(notAvailable(t('backup.sticks')));
  else if (!sticks.ok) box.append(h('p', { class: 'error' }, apiMessage(sticks)));
  else if (!sticks.data.length) box.append(h('p', { class: 'muted' }, t('backup.noSticks')));
  else {
    box.append(h('ul', {}, sticks.data.map((s) => h('li', {},
      h('strong', {}, [s.vendor, s.model].filter(Boolean).join(' ') || s.name), ` — ${s.label || s.devicePath}, ${formatBytes(s.sizeBytes)}, ${s.fsType || '?'} `,
      h('span', { class: `badge ${s.supported ? 'ok' : 'warning'}` }, t(s.supported ? 'backup.stickOk' : 'backup.stickUnsupported'))))));
  }
  return box;
}

export async function backupPage(el) {
  const settings = await api('GET', '/api/backup/settings');
  if (isUnavailable(settings)) { el.append(notAvailable(t('admin.backup'))); return; }
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const runs = h('div', { class: 'backups', 'aria-live': 'polite' });
  const mailboxes = await api('GET', '/api/mailboxes');
  const addresses = mailboxes.ok ? mailboxes.data.map((m) => m.address) : [];

  // settings: a new passphrase (empty keeps the stored one) and the daily time
  const line = h('p', { class: 'test-result', 'aria-live': 'polite' });
  const s = settings.data || {};
  const form = h('form', { novalidate: true, class: 'backup-settings' },
    h('h2', {}, t('backup.settings')),
    h('p', {}, t('backup.target', { target: s.target || '' }), ' ', t(s.passphraseSet ? 'backup.passphraseIsSet' : 'backup.passphraseNotSet')),
    field({ name: 'passphrase', label: t(s.passphraseSet ? 'backup.newPassphrase' : 'backup.passphrase'), type: 'password', autocomplete: 'new-password',
      hint: t(s.passphraseSet ? 'backup.passphraseKept' : 'backup.passphraseHint') }),
    field({ name: 'schedule', label: t('backup.schedule'), type: 'time', value: s.schedule, hint: t('backup.scheduleHint') }),
    formError(), line, h('button', { type: 'submit', class: 'secondary' }, t('common.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { schedule: form.elements.schedule.value || undefined };
    if (form.elements.passphrase.value) body.passphrase = form.elements.passphrase.value;
    const result = await api('PUT', '/api/backup/settings', body);
    if (!result.ok) return showError(form, result.data && result.data.field, apiMessage(result));
    form.elements.passphrase.value = '';
    resultLine(line, true, t('backup.settingsSaved', { schedule: result.data.schedule }));
  });

  const now = h('button', { type: 'button', class: 'primary', id: 'backup-now', onclick: async () => {
    now.disabled = true;
    await backUpNow(progress);
    now.disabled = false;
    await load();
  } }, t('backup.now'));

  // the runs the box recorded, and which of them are still complete on the stick (retention removes old ones)
  async function load() {
    const [result, onStick] = await Promise.all([api('GET', '/api/backups'), api('GET', '/api/restore')]);
    if (!result.ok) { runs.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
    const present = onStick.ok ? new Set(onStick.data.map((b) => b.id)) : null;
    runs.replaceChildren(result.data.length ? h('ul', { class: 'runs' }, result.data.map((b) => run(b, !present || present.has(b.id))))
      : h('p', { class: 'empty' }, t('backup.none')));
  }

  function run(b, onStick) {
    const panel = h('div', { class: 'run-panel', 'aria-live': 'polite' });
    const li = h('li', { class: `run ${b.state}`, 'data-backup': b.id },
      h('div', {}, h('strong', {}, b.id), ' ', h('span', { class: `badge ${b.state === 'ok' ? 'ok' : b.state === 'failed' ? 'fault' : 'warning'}` }, t(`backup.state.${b.state}`)), ' ',
        h('span', { class: 'muted' }, t('backup.runMeta', { when: formatTime(b.finishedAt || b.startedAt), bytes: formatBytes(b.bytes), files: b.files, newFiles: b.newFiles }))),
      b.error ? h('p', { class: 'error' }, b.error) : null,
      b.state === 'ok' && !onStick ? h('p', { class: 'muted' }, t('backup.notOnStick')) : null);
    if (b.state !== 'ok' || !onStick) return li;
    li.append(panelActions(li, panel, 'backup.action',
      [['verify', () => verify(b)], ['restoreMailbox', () => restoreMailbox(b)], ['restoreAll', () => restoreAll(b)]]), panel);
    return li;
  }

  function verify(b) {
    const out = h('p', { class: 'progress-message', role: 'status' }, t('backup.verifying'));
    api('POST', `/api/backups/${enc(b.id)}/verify`).then((r) => resultLine(out, r.ok,
      r.ok ? t('backup.verified', { files: r.data.filesChecked }) : apiMessage(r)));
    return out;
  }

  function restoreMailbox(b) {
    const out = h('p', { class: 'test-result', 'aria-live': 'polite' });
    const f = h('form', { novalidate: true, class: 'restore-mailbox' },
      field({ name: 'address', idPrefix: `${b.id}-`, label: t('backup.mailbox'), type: 'select', options: addresses.map((a) => ({ value: a, label: a })) }),
      field({ name: 'day', idPrefix: `${b.id}-`, label: t('backup.day'), type: 'date', hint: t('backup.dayHint') }),
      h('p', { class: 'hint' }, t('backup.restoreMailboxExplain', { id: b.id })),
      formError(), out, h('button', { type: 'submit', class: 'primary' }, t('backup.restoreMailboxNow')));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      resultLine(out, null, t('common.working'));
      const result = await api('POST', `/api/backups/${enc(b.id)}/restore-mailbox`, { address: f.elements.address.value, day: f.elements.day.value || undefined });
      if (!result.ok) { out.textContent = ''; return showError(f, (result.data && result.data.field) || (result.status === 404 ? 'address' : null), apiMessage(result)); }
      resultLine(out, true, t('backup.mailboxRestored', { n: result.data.restored, folder: `Restored ${b.id}${f.elements.day.value ? ` ${f.elements.day.value}` : ''}` }));
    });
    return f;
  }

  function restoreAll(b) {
    const out = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
    const f = h('form', { novalidate: true, class: 'restore-all' },
      h('p', { class: 'notice warning' }, t('backup.restoreAllWarning', { id: b.id })),
      field({ name: 'passphrase', idPrefix: `${b.id}-`, label: t('backup.passphrase'), type: 'password', autocomplete: 'current-password' }),
      formError(), out, h('button', { type: 'submit', class: 'danger' }, t('backup.restoreAllNow', { id: b.id })));
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(f);
      const result = await api('POST', '/api/restore', { backupId: b.id, passphrase: f.elements.passphrase.value });
      if (!result.ok) return showError(f, result.data && result.data.field === 'passphrase' ? 'passphrase' : null, apiMessage(result));
      await followProgress(out);
      const status = await api('GET', '/api/status');
      if (status.ok && status.data.restoreError) resultLine(out, false, status.data.restoreError);
      else resultLine(out, true, t('backup.restoredAll', { id: b.id }));
    });
    return f;
  }

  const exportSelect = field({ name: 'exportAddress', label: t('backup.exportMailbox'), type: 'select', options: addresses.map((a) => ({ value: a, label: a })) });
  const link = h('a', { class: 'button-link', id: 'mbox-export', download: '' }, t('backup.download'));
  const setLink = () => {
    const address = exportSelect.querySelector('select').value;
    link.href = address ? `/api/mailboxes/${enc(address)}/mbox` : '#';
    link.setAttribute('download', `${address || 'mailbox'}.mbox`);
  };
  exportSelect.querySelector('select').addEventListener('change', setLink);
  setLink();

  el.append(h('p', { class: 'lead' }, t('backup.explain')),
    h('div', { class: 'inline-buttons' }, now), progress,
    h('h2', {}, t('backup.list')), runs,
    await sticksList(), form,
    h('section', { class: 'export', 'aria-labelledby': 'export-title' }, h('h2', { id: 'export-title' }, t('backup.export')),
      h('p', {}, t('backup.exportExplain')), addresses.length ? [exportSelect, link] : h('p', { class: 'muted' }, t('mailboxes.none'))));
  await load();
  // a backup started elsewhere (schedule, button) shows its progress here too
  if ((await api('GET', '/api/backups/progress')).status === 200) followProgress(progress).then(load);
}

/**
 * Step 1's alternative: restore a box from a backup on the stick. GET /api/restore lists the complete backups
 * (it answers before setup); POST /api/restore {token, backupId, passphrase}; the progress comes from GET
 * /api/status (the only other call open before setup). onRestored() once the box is the restored one.
 */
export function restoreForm(currentToken, onRestored) {
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const choices = h('div', { class: 'backup-choices' });
  const form = h('form', { novalidate: true, class: 'restore-form' },
    h('p', {}, t('restore.explain')),
    h('fieldset', { 'data-field': 'backupId', class: 'field' }, h('legend', {}, t('restore.backupId')), choices,
      h('p', { class: 'error', id: 'f-backupId-error', 'aria-live': 'polite' })),
    field({ name: 'restoreToken', label: t('claim.token'), hint: t('claim.tokenHint'), value: currentToken() }),
    field({ name: 'restorePassphrase', label: t('backup.passphrase'), type: 'password', autocomplete: 'current-password', hint: t('restore.passphraseHint') }),
    formError(), progress,
    h('button', { type: 'submit', class: 'primary', id: 'restore-start' }, t('restore.start')));

  async function list() {
    choices.replaceChildren(h('p', { class: 'muted' }, t('restore.looking')));
    const result = await api('GET', '/api/restore');
    if (isUnavailable(result)) { form.replaceChildren(notAvailable(t('restore.title'))); return; }
    if (!result.ok) { choices.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
    const again = h('button', { type: 'button', class: 'small', onclick: list }, t('restore.lookAgain'));
    if (!result.data.length) { choices.replaceChildren(h('p', { class: 'notice warning' }, t('restore.noBackups')), again); return; }
    choices.replaceChildren(...result.data.map((b, i) => h('label', { class: 'choice-row' },
      h('input', { type: 'radio', name: 'backupId', value: b.id, checked: i === 0 }), ' ',
      h('strong', {}, formatTime(b.finishedAt)), ' ', h('span', { class: 'muted' }, t('restore.backupMeta', { id: b.id, bytes: formatBytes(b.bytes), files: b.files })))), again);
  }

  const fieldNames = { token: 'restoreToken', passphrase: 'restorePassphrase', backupId: 'backupId' };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const chosen = form.querySelector('input[name=backupId]:checked');
    if (!chosen) return showError(form, null, t('restore.noBackups'));
    if (!form.elements.restoreToken.value.trim()) return showError(form, 'restoreToken', t('claim.tokenMissing'));
    if (!form.elements.restorePassphrase.value) return showError(form, 'restorePassphrase', t('restore.passphraseMissing'));
    const submit = form.querySelector('#restore-start');
    submit.disabled = true;
    const result = await api('POST', '/api/restore', { token: form.elements.restoreToken.value.trim(), backupId: chosen.value, passphrase: form.elements.restorePassphrase.value });
    if (!result.ok) {
      submit.disabled = false;
      return showError(form, fieldNames[result.data && result.data.field] || null, apiMessage(result, { 403: 'claim.wrongToken', 400: result.data && result.data.field === 'passphrase' ? 'restore.wrongPassphrase' : undefined }));
    }
    const status = await followProgress(progress, { source: 'status' });
    submit.disabled = false;
    if (!status) return; // the box stopped answering; the progress line says so
    if (status.restoreError || !status.setupComplete) {
      progress.textContent = '';
      return showError(form, null, status.restoreError || t('restore.notComplete'));
    }
    form.replaceChildren(h('div', { class: 'notice ok', role: 'status', tabindex: '-1', id: 'restore-done' }, h('p', {}, t('restore.done', { id: chosen.value })),
      h('button', { type: 'button', class: 'primary', onclick: onRestored }, t('restore.signIn'))));
    form.querySelector('#restore-done').focus();
  });
  list();
  form.addEventListener('focusin', () => {
    if (!form.elements.restoreToken.value) form.elements.restoreToken.value = currentToken();
  });
  return form;
}
