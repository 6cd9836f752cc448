// The dashboard: the health state with every check's reason and a live mirror of the box's lights (GET /api/status,
// read again every few seconds), and panels for the queue, disk, certificate, last backup and recent mail.
import { t } from './i18n.js';
import { h, field, notAvailable } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatBytes, formatTime, sleep, label } from './util.js';

const STATUS_EVERY = 3000;
const PANELS_EVERY = 15000;

export async function dashboardPage(el, { go }) {
  const live = h('div', { class: 'live' });
  const panels = h('div', { class: 'panels' });
  // the lights and checks are redrawn on every read; the wiring test's button and answer are built once, so that
  // neither its focus nor its answer is lost to a redraw
  const lights = h('div');
  const wiring = wiringTest();
  const checks = h('div');
  const details = h('div', { class: 'live-details' }, lights, wiring, checks);
  el.append(live, panels, details);
  let panelsAt = 0;
  while (live.isConnected) {
    const result = await api('GET', '/api/status');
    if (!live.isConnected) return;
    if (result.ok) {
      live.replaceChildren(...stateView(result.data));
      const leds = result.data.leds;
      lights.replaceChildren(h('h2', {}, t('dashboard.leds')), ...ledMirror(leds));
      wiring.hidden = !leds || !leds.pattern || leds.platform === 'none';
      checks.replaceChildren(...checksView(result.data));
    } else live.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result)));
    if (Date.now() - panelsAt > PANELS_EVERY) {
      panelsAt = Date.now();
      const built = await panelViews(go);
      if (!panels.isConnected) return;
      panels.replaceChildren(...built);
    }
    await sleep(STATUS_EVERY);
  }
}

const SEVERITY = { fault: 0, warning: 1, ok: 2 };

/** The overall state, as the lights show it, and a running backup or restore. */
function stateView(s) {
  const state = s.health.state;
  return [h('div', { class: `health ${state}`, role: 'status' },
    h('span', { class: `led ${state}`, 'aria-hidden': 'true' }), h('strong', {}, t(`health.${state}`)), ' ', t(`leds.${state}`)),
  ...operationView(s)];
}

/** Every check with its reason, the ones needing attention first. */
function checksView(s) {
  const checks = [...s.health.checks].sort((a, b) => (SEVERITY[a.level] ?? 3) - (SEVERITY[b.level] ?? 3));
  return [
    h('h2', {}, t('dashboard.checks')),
    checks.length
      ? h('ul', { class: 'checks' }, checks.map((c) => h('li', { class: `check ${c.level}`, 'data-check': c.name },
        h('span', { class: `badge ${c.level}` }, t(`health.level.${c.level}`)), ' ', h('strong', {}, label(`check.${c.name}`, c.name)), c.reason ? `: ${c.reason}` : '')))
      : h('p', {}, t('dashboard.noChecks'))];
}

/** A running backup or restore with the server's own progress, and a failed restore's reason. */
function operationView(s) {
  const out = [];
  if (s.operation) {
    const op = s.operation;
    const percent = op.bytesTotal ? Math.floor((100 * op.bytesDone) / op.bytesTotal) : null;
    out.push(h('p', { class: 'progress-message', role: 'status' }, t(`dashboard.operation.${op.operation}`,
      { phase: op.phase, files: op.filesDone, totalFiles: op.filesTotal, done: formatBytes(op.bytesDone), total: formatBytes(op.bytesTotal) }),
    percent === null ? '' : h('progress', { max: '100', value: String(percent), 'aria-label': t('backup.progressLabel') })));
  }
  if (s.restoreError) out.push(h('p', { class: 'error', role: 'alert' }, s.restoreError));
  return out;
}

/** The box's lights as they are now (same colours and rhythms, via CSS) and the activities they show. */
function ledMirror(leds) {
  if (!leds || !leds.pattern) return [h('p', { class: 'muted' }, t('dashboard.noLeds'))];
  const lamps = Object.entries(leds.pattern).map(([led, pattern]) => h('li', { class: 'lamp', 'data-led': led, 'data-pattern': pattern },
    h('span', { class: `ledlamp ${led} ${pattern}`, 'aria-hidden': 'true' }),
    h('span', {}, `${t(`dashboard.lamp.${led}`)}: ${t(`dashboard.pattern.${pattern}`)}`)));
  const activities = (leds.activities || []).length ? leds.activities.map((a) => label(`dashboard.activity.${a}`, a)).join(', ') : t('dashboard.noActivity');
  // replaceChildren() writes a null child as the text "null": only nodes go in
  const out = [h('ul', { class: 'lamps' }, lamps), h('p', {}, `${t('dashboard.activities')}: ${activities}`)];
  if (leds.platform === 'none') out.push(h('p', { class: 'muted' }, t('dashboard.noHardware')));
  return out;
}

/** The wiring test: lights every LED in turn on the box (POST /api/hardware/test). Hidden without LEDs. */
function wiringTest() {
  const result = h('p', { role: 'status', 'aria-live': 'polite' });
  const test = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    const r = await api('POST', '/api/hardware/test');
    result.textContent = r.ok ? t('dashboard.wiringTestRunning', { leds: (r.data.leds || []).join(', ') }) : apiMessage(r);
  } }, t('dashboard.wiringTest'));
  return h('div', { hidden: true }, test, result);
}

/** One dashboard panel: a title, its facts, and a link to the page where it can be changed. */
function panel(key, body, go, section) {
  return h('section', { class: 'panel', 'data-panel': key, 'aria-labelledby': `panel-${key}` },
    h('h2', { id: `panel-${key}` }, t(`dashboard.panel.${key}`)), body,
    section ? h('p', {}, h('a', { href: `#${section}`, onclick: (e) => { e.preventDefault(); go(section); } }, t('dashboard.open', { page: t(`admin.${section}`) }))) : null);
}

const facts = (...pairs) => h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v, fact]) => [h('dt', {}, t(k)), h('dd', { 'data-fact': fact }, v)]));

/** Rows of the mail log (GET /api/mail-log, also the dashboard's recent mail): who, to whom, what happened and why. */
function mailLogTable(rows) {
  if (!rows.length) return h('p', { class: 'empty' }, t('mailLog.none'));
  return h('table', { class: 'mail-log' },
    h('caption', { class: 'sr-only' }, t('admin.maillog')),
    h('thead', {}, h('tr', {}, ['at', 'result', 'fromTo', 'reason'].map((c) => h('th', { scope: 'col' }, t(`mailLog.${c}`))))),
    h('tbody', {}, rows.map((r) => h('tr', { class: `mail-${r.result}`, 'data-direction': r.direction },
      h('td', { 'data-label': t('mailLog.at') }, formatTime(r.at, true)),
      h('td', { 'data-label': t('mailLog.result') }, h('span', { class: `badge ${RESULT_BADGE[r.result] || ''}` }, label(`mailLog.result.${r.result}`, r.result)),
        h('br', {}), h('span', { class: 'muted direction' }, t(`mailLog.direction.${r.direction}`))),
      h('td', { 'data-label': t('mailLog.fromTo') }, h('span', { class: 'addr' }, r.from || '<>'), h('br', {}), '→ ', h('span', { class: 'addr' }, r.to || '—'),
        r.remoteIp || r.remoteHost ? [h('br', {}), h('span', { class: 'muted' }, [r.remoteHost, r.remoteIp ? `[${r.remoteIp}]` : ''].filter(Boolean).join(' '))] : null),
      h('td', { 'data-label': t('mailLog.reason') }, r.reason || '')))));
}

const RESULT_BADGE = { accepted: 'ok', delivered: 'ok', rejected: 'fault', bounced: 'fault', tempfailed: 'warning', deferred: 'warning' };

/** The panels from GET /api/dashboard: queue, disk, certificate, last backup, recent mail. */
async function panelViews(go) {
  const result = await api('GET', '/api/dashboard');
  if (isUnavailable(result)) return [notAvailable(t('dashboard.panels'), true)];
  if (!result.ok) return [h('p', { class: 'error', role: 'alert' }, apiMessage(result))];
  const d = result.data;
  const out = [];
  const q = d.queue || {};
  out.push(panel('queue', facts(
    ['dashboard.queuePending', String(q.pending ?? 0), 'queue-pending'],
    ['dashboard.queueDeferred', String(q.deferred ?? 0), 'queue-deferred'],
    q.oldestPendingAt ? ['dashboard.queueOldest', formatTime(q.oldestPendingAt), 'queue-oldest'] : null), go, 'queue'));

  const disk = d.disk || {};
  const usedPercent = disk.fsTotalBytes ? Math.round((100 * (disk.fsTotalBytes - disk.fsFreeBytes)) / disk.fsTotalBytes) : null;
  out.push(panel('disk', [facts(
    ['dashboard.diskMail', formatBytes(disk.usedBytes), 'disk-used'],
    ['dashboard.diskFree', t('dashboard.diskFreeOf', { free: formatBytes(disk.fsFreeBytes), total: formatBytes(disk.fsTotalBytes) }), 'disk-free']),
  usedPercent === null ? null : h('meter', { min: '0', max: '100', low: '80', high: '90', optimum: '0', value: String(usedPercent), 'aria-label': t('dashboard.diskMeter', { n: usedPercent }) })], go));

  const c = d.certificate;
  out.push(panel('certificate', c ? facts(
    ['certificate.kind', t(c.selfSigned ? 'certificate.selfSigned' : 'certificate.trusted'), 'certificate-kind'],
    ['certificate.expires', `${formatTime(c.notAfter)} (${t('certificate.daysLeft', { n: c.daysLeft })})`, 'certificate-expires']) : h('p', {}, '—'), go, 'certificate'));

  const b = d.lastBackup;
  out.push(panel('backup', b || d.lastSuccessfulBackupAt ? facts(
    d.lastSuccessfulBackupAt ? ['dashboard.lastBackup', formatTime(d.lastSuccessfulBackupAt), 'last-backup'] : null,
    b && b.state !== 'ok' ? [`dashboard.lastRun.${b.state}`, b.error || formatTime(b.finishedAt), 'backup-latest'] : null)
    : h('p', { class: 'notice warning' }, t('dashboard.noBackup')), go, 'backup'));

  out.push(h('section', { class: 'panel wide', 'data-panel': 'mail', 'aria-labelledby': 'panel-mail' },
    h('h2', { id: 'panel-mail' }, t('dashboard.panel.mail')), mailLogTable(d.recentMail || []),
    h('p', {}, h('a', { href: '#maillog', onclick: (e) => { e.preventDefault(); go('maillog'); } }, t('dashboard.open', { page: t('admin.maillog') })))));
  return out;
}

/** The mail log page: every accepted, refused, delivered or deferred message with the reason. */
export async function mailLogPage(el) {
  const filter = field({ name: 'direction', label: t('mailLog.show'), type: 'select',
    options: ['', 'in', 'out'].map((v) => ({ value: v, label: t(`mailLog.filter.${v || 'all'}`) })) });
  const rows = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    const direction = filter.querySelector('select').value;
    const result = await api('GET', `/api/mail-log?limit=200${direction ? `&direction=${direction}` : ''}`);
    if (isUnavailable(result)) { rows.replaceChildren(notAvailable(t('admin.maillog'), true)); return; }
    rows.replaceChildren(result.ok ? mailLogTable(result.data) : h('p', { class: 'error', role: 'alert' }, apiMessage(result)));
  };
  filter.querySelector('select').addEventListener('change', load);
  el.append(h('p', { class: 'lead' }, t('mailLog.explain')), filter, rows);
  await load();
}
