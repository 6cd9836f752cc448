// Dynamic DNS: GET /api/ddns (the updater's real state), GET/PUT /api/ddns/settings (secrets are never sent back;
// an empty secret keeps the stored one) and a "test" (POST /api/ddns/test).
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, notAvailable, resultLine, runServerTest } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatTime, sleep } from './util.js';

const GROUPS = {
  dyndns2: ['provider', 'url', 'username', 'password', 'hostname'],
  rfc2136: ['server', 'zone', 'keyName', 'keyAlgorithm', 'keySecret', 'ttl', 'hostname'],
};
const PROVIDERS = ['dyn', 'noip', 'dynu', 'ovh', 'strato', 'custom'];
const SECRETS = ['password', 'keySecret'];

/** The settings form and live state; onState(status) whenever the updater's state is read. */
export async function ddnsPanel(el, { onState = () => {} } = {}) {
  const current = await api('GET', '/api/ddns/settings');
  if (isUnavailable(current)) { el.append(notAvailable(t('step.ddns.title'))); return false; }
  if (!current.ok) { el.append(h('p', { class: 'error', role: 'alert' }, apiMessage(current))); return true; }
  const s = current.data || {};
  const state = h('div', { class: 'ddns-state', role: 'status', 'aria-live': 'polite' });
  const line = h('p', { class: 'test-result', 'aria-live': 'polite' });
  const v = (name) => (s[name] === null || s[name] === undefined ? '' : String(s[name]));
  const form = h('form', { novalidate: true, class: 'ddns-form' },
    field({ name: 'method', label: t('ddns.method'), type: 'select', value: s.method || 'off',
      options: ['off', 'dyndns2', 'rfc2136'].map((m) => ({ value: m, label: t(`ddns.method.${m}`) })) }),
    h('fieldset', { 'data-group': 'dyndns2' }, h('legend', {}, t('ddns.method.dyndns2')),
      field({ name: 'provider', label: t('ddns.provider'), type: 'select', value: s.provider || 'dyn',
        options: PROVIDERS.map((p) => ({ value: p, label: t(`ddns.provider.${p}`) })) }),
      field({ name: 'url', label: t('ddns.url'), value: v('url'), hint: t('ddns.urlHint'), inputmode: 'url' }),
      field({ name: 'username', label: t('ddns.username'), value: v('username'), autocomplete: 'username' }),
      field({ name: 'password', label: t('ddns.password'), type: 'password', autocomplete: 'new-password', hint: t('ddns.secretKept') })),
    h('fieldset', { 'data-group': 'rfc2136' }, h('legend', {}, t('ddns.method.rfc2136')),
      field({ name: 'server', label: t('ddns.server'), value: v('server'), placeholder: 'ns1.example.com:53' }),
      field({ name: 'zone', label: t('ddns.zone'), value: v('zone') }),
      field({ name: 'keyName', label: t('ddns.keyName'), value: v('keyName') }),
      field({ name: 'keyAlgorithm', label: t('ddns.keyAlgorithm'), value: v('keyAlgorithm'), placeholder: 'hmac-sha256' }),
      field({ name: 'keySecret', label: t('ddns.keySecret'), type: 'password', autocomplete: 'new-password', hint: t('ddns.secretKept') }),
      field({ name: 'ttl', label: t('ddns.ttl'), value: v('ttl'), inputmode: 'numeric', placeholder: '120' })),
    h('div', { 'data-group': 'any' }, field({ name: 'hostname', label: t('ddns.hostname'), value: v('hostname'), hint: t('ddns.hostnameHint') })),
    formError(), line,
    h('div', { class: 'inline-buttons' },
      h('button', { type: 'submit', class: 'primary' }, t('common.save')),
      h('button', { type: 'button', class: 'secondary', id: 'ddns-test', onclick: test }, t('ddns.test'))));
  const method = form.elements.method;
  const showGroup = () => {
    form.querySelectorAll('[data-group]').forEach((g) => { g.hidden = g.dataset.group === 'any' ? method.value === 'off' : g.dataset.group !== method.value; });
    form.querySelector('[data-field=url]').hidden = form.elements.provider.value !== 'custom';
    form.querySelector('#ddns-test').hidden = method.value === 'off';
  };
  method.addEventListener('change', showGroup);
  form.elements.provider.addEventListener('change', showGroup);
  showGroup();

  function body() {
    const b = { method: method.value };
    for (const name of GROUPS[method.value] || []) {
      const value = SECRETS.includes(name) ? form.elements[name].value : form.elements[name].value.trim();
      if (value === '' || (name === 'url' && form.elements.provider.value !== 'custom')) continue;
      b[name] = name === 'ttl' ? Number(value) : value;
    }
    return b;
  }

  async function showState() {
    const r = await api('GET', '/api/ddns');
    if (!r.ok) return null;
    const d = r.data;
    state.replaceChildren(h('dl', { class: 'facts' },
      h('dt', {}, t('ddns.stateLabel')), h('dd', { 'data-fact': 'state' }, h('span', { class: `badge ${d.state === 'OK' ? 'ok' : d.state === 'OFF' ? '' : 'warning'}` }, d.state), ' ',
        t(`ddns.state.${d.state}`, { ip: [d.publishedIpv4, d.publishedIpv6].filter(Boolean).join(', '), error: d.lastError || '' })),
      d.hostname ? [h('dt', {}, t('ddns.hostname')), h('dd', {}, h('code', {}, d.hostname))] : null,
      d.lastSuccess ? [h('dt', {}, t('ddns.lastSuccess')), h('dd', {}, formatTime(d.lastSuccess))] : null,
      d.nextAttempt ? [h('dt', {}, t('ddns.nextAttempt')), h('dd', {}, formatTime(d.nextAttempt))] : null));
    onState(d);
    return d;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    resultLine(line, null, t('common.working'));
    const result = await api('PUT', '/api/ddns/settings', body());
    if (!result.ok) { line.textContent = ''; return showError(form, result.data && result.data.field, apiMessage(result)); }
    resultLine(line, true, t('ddns.saved'));
    SECRETS.forEach((name) => { form.elements[name].value = ''; });
    // the update runs in the background: follow the updater's own state until it settles (at most a minute)
    for (let i = 0; i < 60 && form.isConnected; i++) {
      const d = await showState();
      if (!d || d.state !== 'PENDING') break;
      await sleep(1000);
    }
  });

  function test() {
    return runServerTest(form, line, { path: '/api/ddns/test', body: body(), busy: t('ddns.testing'), what: t('ddns.test'),
      describe: (r) => (r.ok ? t('ddns.testOk', { hostname: r.hostname || '', ip: [r.ipv4, r.ipv6].filter(Boolean).join(', ') })
        : t('ddns.testFailed', { error: r.message || '' })) });
  }

  el.append(state, form);
  await showState();
  return true;
}
