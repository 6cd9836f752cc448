// The relay (smarthost) for outgoing mail: GET/PUT/DELETE /api/relay with per-domain rules, the fallback state
// and its events, and a "test" that really connects and authenticates (POST /api/relay/test).
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, notAvailable, confirmBox, resultLine, runServerTest } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage, formatTime, label } from './util.js';

const rulesText = (rules) => (rules || []).map((r) => `${r.domain} ${r.route}`).join('\n');

/** "example.org relay" per line (the route defaults to relay) → [{domain, route}]. */
function parseRules(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const [domain, route] = line.split(/[\s,;]+/);
    return { domain, route: route || 'relay' };
  });
}

/** The relay's state, settings form, test and removal; onSaved(view) after each successful save. */
export async function relayPanel(el, { onSaved = () => {} } = {}) {
  const current = await api('GET', '/api/relay');
  if (isUnavailable(current)) { el.append(h('div', { class: 'relay' }, notAvailable(t('relay.title')))); return; }
  if (!current.ok) { el.append(h('p', { class: 'error', role: 'alert' }, apiMessage(current))); return; }
  const state = h('div', { class: 'relay-state', 'aria-live': 'polite' });
  const line = h('p', { class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { novalidate: true, class: 'relay-form' });
  const fill = (v) => {
    form.replaceChildren(
      field({ name: 'mode', label: t('relay.mode'), type: 'select', value: v.mode === 'direct' && !v.host ? 'fallback' : v.mode,
        options: ['fallback', 'relay', 'direct'].map((m) => ({ value: m, label: t(`relay.mode.${m}`) })) }),
      h('div', { class: 'row' },
        field({ name: 'host', label: t('relay.host'), value: v.host, placeholder: 'smtp.relay.example' }),
        field({ name: 'port', label: t('relay.port'), value: v.port, inputmode: 'numeric', placeholder: '587' })),
      field({ name: 'tls', label: t('relay.tls'), type: 'select', value: v.tls || 'starttls',
        options: ['starttls', 'implicit'].map((m) => ({ value: m, label: t(`relay.tls.${m}`) })) }),
      h('div', { class: 'row' },
        field({ name: 'username', label: t('relay.username'), value: v.username, autocomplete: 'username' }),
        field({ name: 'password', label: t('relay.password'), type: 'password', autocomplete: 'new-password', hint: v.passwordSet ? t('relay.passwordKept') : '' })),
      h('details', { class: 'more' }, h('summary', {}, t('relay.more')),
        field({ name: 'spfInclude', label: t('relay.spfInclude'), value: v.spfInclude, hint: t('relay.spfIncludeHint') }),
        field({ name: 'caPem', label: t('relay.caPem'), type: 'textarea', rows: 3, hint: t(v.caPemSet ? 'relay.caPemKept' : 'relay.caPemHint') }),
        field({ name: 'rules', label: t('relay.rules'), type: 'textarea', rows: 3, value: rulesText(v.rules), hint: t('relay.rulesHint') })),
      formError(), line,
      h('div', { class: 'inline-buttons' },
        h('button', { type: 'submit', class: 'primary' }, t('common.save')),
        h('button', { type: 'button', class: 'secondary', id: 'relay-test', onclick: test }, t('relay.test')),
        v.host ? h('button', { type: 'button', class: 'danger', id: 'relay-remove', onclick: remove }, t('relay.remove')) : null));
    showState(v);
  };

  function body() {
    const value = (name) => form.elements[name].value.trim();
    return { mode: value('mode'), host: value('host') || undefined, port: value('port') ? Number(value('port')) : undefined, tls: value('tls'),
      username: value('username') || undefined, password: form.elements.password.value || undefined,
      spfInclude: value('spfInclude') || undefined, caPem: value('caPem') || undefined, rules: parseRules(form.elements.rules.value) };
  }

  async function save(e) {
    e.preventDefault();
    clearErrors(form);
    const b = body();
    if (b.port !== undefined && !(Number.isInteger(b.port) && b.port > 0 && b.port < 65536)) return showError(form, 'port', t('relay.badPort'));
    resultLine(line, null, t('common.working'));
    const result = await api('PUT', '/api/relay', b);
    if (!result.ok) { line.textContent = ''; return showError(form, result.data && result.data.field, apiMessage(result)); }
    fill(result.data);
    resultLine(line, true, t('relay.saved'));
    onSaved(result.data);
  }

  // Tests what the form shows now (a password left empty means the stored one), so a wrong host or password is
  // found before it is saved; the server really connects and authenticates.
  function test() {
    return runServerTest(form, line, { path: '/api/relay/test', body: body(), busy: t('relay.testing'), what: t('relay.test'),
      describe: (r) => (r.ok ? t('relay.testOk', { detail: r.message || '' })
        : t('relay.testFailed', { stage: label(`relay.stage.${r.stage}`, r.stage || ''), error: r.message || '' })) });
  }

  function remove() {
    const buttons = form.querySelector('.inline-buttons');
    const box = confirmBox(t('relay.removeConfirm'), t('relay.remove'), async () => {
      const result = await api('DELETE', '/api/relay');
      if (!result.ok) { box.replaceWith(buttons); resultLine(line, false, apiMessage(result)); return; }
      const now = await api('GET', '/api/relay');
      fill(now.ok ? now.data : {});
      resultLine(line, true, t('relay.removed'));
      onSaved(now.data);
    }, () => { box.replaceWith(buttons); buttons.querySelector('#relay-remove').focus(); });
    buttons.replaceWith(box);
  }

  function showState(v) {
    const fb = v.fallback || {};
    state.replaceChildren(...[
      h('dl', { class: 'facts' },
        h('dt', {}, t('relay.now')), h('dd', { 'data-fact': 'mode' }, v.host ? t(`relay.mode.${v.mode}`) : t('relay.noRelay')),
        h('dt', {}, t('relay.fallback')), h('dd', { 'data-fact': 'fallback' }, fb.active
          ? t('relay.fallbackActive', { since: formatTime(fb.since), trigger: fb.trigger || '', evidence: fb.evidence || '' })
          : t('relay.fallbackInactive'))),
      v.relayProblem ? h('p', { class: 'notice warning', role: 'alert' }, t('relay.problem', { problem: v.relayProblem })) : null,
      (v.events || []).length ? h('details', { class: 'events' }, h('summary', {}, t('relay.events', { n: v.events.length })),
        h('ul', {}, v.events.map((ev) => h('li', {}, h('strong', {}, formatTime(ev.at)), ` — ${ev.trigger}: ${ev.evidence || ''}`)))) : null].filter(Boolean));
  }

  form.addEventListener('submit', save);
  fill(current.data);
  el.append(h('p', {}, t('relay.why')), state, form);
}
