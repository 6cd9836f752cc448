// The dashboard: the health state with every check's reason and a live mirror of the box's lights (GET /api/status,
// read again every few seconds), and panels for the queue, disk, certificate, last backup and recent mail.
import { t } from './i18n.js';
import { h, notAvailable } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatBytes, formatTime, sleep, label } from './util.js';

const STATUS_EVERY = 3000;
const PANELS_EVERY = 15000;

export async function dashboardPage(el, { go }) {
  const live = h('div', { class: 'live' });
  const panels = h('div', { class: 'panels' });
  const details = h('div', { class: 'live-details' });
  el.append(live, panels, details);
  let panelsAt = 0;
  while (live.isConnected) {
    const result = await api('GET', '/api/status');
    if (!live.isConnected) return;
    if (result.ok) {
      live.replaceChildren(...stateView(result.data));
      details.replaceChildren(...checksView(result.data));
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

/** Every check with its reason, the ones needing attention first, then the mirror of the lights. */
function checksView(s) {
  const checks = [...s.health.checks].sort((a, b) => (SEVERITY[a.level] ?? 3) - (SEVERITY[b.level] ?? 3));
  return [
    h('h2', {}, t('dashboard.leds')),
    ...ledMirror(s.leds),
    h('h2', {}, t('dashboard.checks')),
    checks.length
      ? h('ul', { class: 'checks' }, checks.map((c) => h('li', { class: `check ${c.level}`, 'data-check': c.name },
        h('span', { class: `badge ${c.level}` }, t(`health.level.${c.level}`)), ' ', h('strong', {}, label(`network.check.${c.name}`, c.name)), c.reason ? `: ${c.reason}` : '')))
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

/** The box's lights as they are now (same colours and rhythms, via CSS), and the wiring test. */
function ledMirror(leds) {
  if (!leds || !leds.pattern) return [h('p', { class: 'muted' }, t('dashboard.noLeds'))];
  const lamps = Object.entries(leds.pattern).map(([led, pattern]) => h('li', { class: 'lamp', 'data-led': led, 'data-pattern': pattern },
    h('span', { class: `ledlamp ${led} ${pattern}`, 'aria-hidden': 'true' }),
    h('span', {}, `${t(`dashboard.lamp.${led}`)}: ${t(`dashboard.pattern.${pattern}`)}`)));
  const activities = (leds.activities || []).length ? leds.activities.map((a) => label(`dashboard.activity.${a}`, a)).join(', ') : t('dashboard.noActivity');
  const result = h('p', { role: 'status', 'aria-live': 'polite' });
  const test = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    const r = await api('POST', '/api/hardware/test');
    result.textContent = r.ok ? t('dashboard.wiringTestRunning', { leds: (r.data.leds || []).join(', ') }) : apiMessage(r);
  } }, t('dashboard.wiringTest'));
  return [h('ul', { class: 'lamps' }, lamps), h('p', {}, `${t('dashboard.activities')}: ${activities}`),
    leds.platform === 'none' ? h('p', { class: 'muted' }, t('dashboard.noHardware')) : h('div', {}, test, result)];
}

/** One dashboard panel: a title, its facts, and a link to the page where it can be changed. */
function panel(key, body, go, section) {
  return h('section', { class: 'panel', 'data-panel': key, 'aria-labelledby': `panel-${key}` },
    h('h2', { id: `panel-${key}` }, t(`dashboard.panel.${key}`)), body,
    section ? h('p', {}, h('a', { href: `#${section}`, onclick: (e) => { e.preventDefault(); go(section); } }, t('dashboard.open', { page: t(`admin.${section}`) }))) : null);
}

const facts = (...pairs) => h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v, fact]) => [h('dt', {}, t(k)), h('dd', { 'data-fact': fact }, v)]));

async function panelViews(go) {
  const [queue, certificate, backups] = await Promise.all([api('GET', '/api/queue'), api('GET', '/api/tls/certificate'), api('GET', '/api/backups')]);
  const out = [];

  if (queue.ok) {
    const waiting = queue.data.flatMap((e) => e.recipients.filter((r) => r.status === 'queued'));
    const oldest = queue.data.length ? Math.min(...queue.data.map((e) => e.createdAt)) : null;
    out.push(panel('queue', facts(
      ['dashboard.queueMessages', String(queue.data.length), 'queue-messages'],
      ['dashboard.queueRecipients', String(waiting.length), 'queue-recipients'],
      oldest ? ['dashboard.queueOldest', formatTime(oldest), 'queue-oldest'] : null), go, 'queue'));
  } else out.push(panel('queue', isUnavailable(queue) ? notAvailable(t('dashboard.panel.queue'), true) : h('p', { class: 'error' }, apiMessage(queue)), go));

  out.push(panel('disk', notAvailable(t('dashboard.panel.disk'), true), go));

  if (certificate.ok) {
    const c = certificate.data;
    const days = Math.floor((new Date(c.notAfter).getTime() - Date.now()) / 86_400_000);
    out.push(panel('certificate', facts(
      ['certificate.kind', t(c.selfSigned ? 'certificate.selfSigned' : 'certificate.trusted'), 'certificate-kind'],
      ['certificate.expires', `${formatTime(c.notAfter)} (${t('certificate.daysLeft', { n: days })})`, 'certificate-expires']), go, 'certificate'));
  } else out.push(panel('certificate', isUnavailable(certificate) ? notAvailable(t('dashboard.panel.certificate'), true) : h('p', { class: 'error' }, apiMessage(certificate)), go));

  if (backups.ok) {
    const last = backups.data.find((b) => b.state === 'ok');
    const failed = backups.data.length && backups.data[0].state === 'failed' ? backups.data[0] : null;
    out.push(panel('backup', last || failed ? facts(
      last ? ['dashboard.lastBackup', `${formatTime(last.finishedAt)} · ${formatBytes(last.bytes)}`, 'last-backup'] : null,
      failed ? ['dashboard.lastFailure', failed.error || '', 'backup-failure'] : null) : h('p', { class: 'notice warning' }, t('dashboard.noBackup')), go, 'backup'));
  } else out.push(panel('backup', isUnavailable(backups) ? notAvailable(t('dashboard.panel.backup'), true) : h('p', { class: 'error' }, apiMessage(backups)), go));

  out.push(panel('mail', notAvailable(t('dashboard.panel.mail'), true), go));
  return out;
}
