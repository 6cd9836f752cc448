// The certificate the box serves and its ACME state (GET /api/tls/certificate), "request/renew now" (POST
// /api/tls/certificate/renew) followed by polling the order's real state, and the challenge (GET/PUT /api/tls/settings).
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, notAvailable, resultLine } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatTime, sleep } from './util.js';

const DAY = 86_400_000;

/** Shows the certificate; onShown(certificate) after every read. False when the appliance has no such API. */
export async function certificatePanel(el, { onShown = () => {}, settings = false } = {}) {
  const result = await api('GET', '/api/tls/certificate');
  if (isUnavailable(result)) { el.append(notAvailable(t('step.certificate.title'))); return false; }
  const info = h('div', { class: 'certificate', 'aria-live': 'polite' });
  const progress = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
  const show = (c) => {
    const acme = c.acme || {};
    const days = c.notAfter ? Math.floor((new Date(c.notAfter).getTime() - Date.now()) / DAY) : null;
    info.replaceChildren(h('dl', { class: 'facts' },
      h('dt', {}, t('certificate.kind')), h('dd', { 'data-fact': 'kind' }, t(c.selfSigned ? 'certificate.selfSigned' : 'certificate.trusted')),
      h('dt', {}, t('certificate.names')), h('dd', {}, (c.names || []).join(', ')),
      h('dt', {}, t('certificate.issuer')), h('dd', {}, c.issuer || ''),
      h('dt', {}, t('certificate.expires')), h('dd', { 'data-fact': 'expires' }, formatTime(c.notAfter),
        days === null ? '' : ` (${t('certificate.daysLeft', { n: days })})`),
      h('dt', {}, t('certificate.acme')), h('dd', { 'data-fact': 'acme' }, h('span', { class: `badge ${acme.state === 'VALID' ? 'ok' : acme.state === 'FAILING' ? 'fault' : ''}` }, acme.state || '?'),
        ' ', t(`certificate.acme.${acme.state || 'OFF'}`)),
      acme.lastError ? [h('dt', {}, t('certificate.lastError')), h('dd', { class: 'error' }, acme.lastError)] : null,
      acme.renewAfter ? [h('dt', {}, t('certificate.renewAfter')), h('dd', {}, formatTime(acme.renewAfter))] : null,
      acme.nextAttempt ? [h('dt', {}, t('certificate.nextAttempt')), h('dd', {}, formatTime(acme.nextAttempt))] : null));
    onShown(c);
  };
  if (result.ok) show(result.data);
  else info.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result)));
  const request = h('button', { type: 'button', class: 'secondary', id: 'certificate-renew' }, t('certificate.request'));
  request.addEventListener('click', async () => {
    request.disabled = true;
    resultLine(progress, null, t('certificate.ordering'));
    const started = await api('POST', '/api/tls/certificate/renew');
    if (!started.ok) { resultLine(progress, false, apiMessage(started, { 409: 'certificate.acmeOff' })); request.disabled = false; return; }
    // real progress: the ACME order's own state, read again every second until it is no longer ISSUING
    const began = Date.now();
    for (let i = 0; i < 600 && info.isConnected; i++) {
      await sleep(1000);
      const now = await api('GET', '/api/tls/certificate');
      if (!now.ok) { resultLine(progress, false, apiMessage(now)); break; }
      show(now.data);
      const acme = now.data.acme || {};
      if (acme.state === 'ISSUING') {
        progress.textContent = t('certificate.issuing', { seconds: Math.round((Date.now() - began) / 1000) });
        continue;
      }
      resultLine(progress, acme.state === 'VALID' && !now.data.selfSigned,
        acme.state === 'VALID' ? t('certificate.issued', { date: formatTime(now.data.notAfter) }) : t('certificate.orderFailed', { error: acme.lastError || acme.state }));
      break;
    }
    request.disabled = false;
  });
  el.append(h('p', {}, t('certificate.selfSignedExplained')), info, h('div', { class: 'inline-buttons' }, request), progress);
  if (settings) await challengeForm(el);
  return true;
}

async function challengeForm(el) {
  const current = await api('GET', '/api/tls/settings');
  if (!current.ok) return;
  const line = h('p', { class: 'test-result', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, class: 'challenge-form' },
    h('h2', {}, t('certificate.challengeTitle')),
    field({ name: 'challenge', label: t('certificate.challenge'), type: 'select', value: current.data.challenge,
      options: ['http-01', 'dns-01'].map((c) => ({ value: c, label: t(`certificate.challenge.${c}`) })) }),
    formError(), line, h('button', { type: 'submit', class: 'secondary' }, t('common.save')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const result = await api('PUT', '/api/tls/settings', { challenge: form.elements.challenge.value });
    if (!result.ok) return showError(form, 'challenge', apiMessage(result));
    resultLine(line, true, t('certificate.challengeSaved'));
  });
  el.append(form);
}
