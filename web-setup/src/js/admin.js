// The admin UI after setup: sign-in (with 2FA), dashboard, mailboxes, aliases, DNS records, security.
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, qrImage, copyButton } from './dom.js';
import { api, setCsrf } from './api.js';
import { apiMessage, formatBytes } from './util.js';
import { mailboxManager } from './mailboxes.js';
import { dnsStep } from './features.js';

export function loginView(root, { onSignedIn, message }) {
  const form = h('form', { novalidate: true, class: 'login' },
    h('h1', { tabindex: '-1' }, t('login.title')),
    message ? h('p', { class: 'notice warning', role: 'status' }, message) : null,
    field({ name: 'password', label: t('login.password'), type: 'password', autocomplete: 'current-password' }),
    formError(),
    h('button', { type: 'submit', class: 'primary' }, t('login.submit')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = { password: form.password.value };
    if (form.code) body.code = form.code.value.trim();
    const result = await api('POST', '/api/admin/login', body);
    if (result.ok) { setCsrf(result.data.csrf); onSignedIn(); return; }
    const fieldName = result.data && result.data.field;
    if (fieldName === 'code' && !form.code) {
      form.querySelector('.form-error').before(field({ name: 'code', label: t('login.code'), hint: t('login.codeHint'), inputmode: 'numeric', autocomplete: 'one-time-code' }));
      if (!body.code && result.status === 401) { form.code.focus(); return; }
    }
    showError(form, fieldName || 'password', apiMessage(result, fieldName === 'password' ? { 401: 'login.wrong' } : {}));
  });
  root.replaceChildren(form);
  form.querySelector('h1').focus();
}

const SECTIONS = ['dashboard', 'mailboxes', 'aliases', 'dns', 'security'];

export function adminView(root, { session, onSignOut, onSetup }) {
  const content = h('div', { class: 'admin-content' });
  const show = (name) => {
    location.hash = name;
    nav.querySelectorAll('a').forEach((a) => a.toggleAttribute('aria-current', a.dataset.section === name));
    const heading = h('h1', { tabindex: '-1' }, t(`admin.${name}`));
    content.replaceChildren(heading);
    ({ dashboard, mailboxes, aliases, dns, security })[name](content);
    heading.focus();
  };
  const nav = h('nav', { class: 'admin-nav', 'aria-label': t('admin.navLabel') },
    SECTIONS.map((s) => h('a', { href: `#${s}`, 'data-section': s, onclick: (e) => { e.preventDefault(); show(s); } }, t(`admin.${s}`))),
    h('a', { href: '#setup', onclick: (e) => { e.preventDefault(); onSetup(); } }, t('admin.setup')),
    h('button', { type: 'button', class: 'link', onclick: async () => { await api('POST', '/api/admin/logout'); setCsrf(null); onSignOut(); } }, t('admin.signOut')));
  root.replaceChildren(h('div', { class: 'admin' }, nav, content));
  show(SECTIONS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'dashboard');

  // The dashboard mirrors the box live: /api/status is read again every few seconds while it is shown.
  async function dashboard(el) {
    const live = h('div', { class: 'live' });
    el.append(live);
    while (live.isConnected) {
      const result = await api('GET', '/api/status');
      if (!live.isConnected) return;
      live.replaceChildren(...(result.ok ? statusView(result.data) : [h('p', { class: 'error', role: 'alert' }, apiMessage(result))]));
      await new Promise((r) => setTimeout(r, 5000));
    }
  }

  function statusView(s) {
    const state = s.health.state;
    return [
      h('div', { class: `health ${state}` },
        h('span', { class: `led ${state}`, 'aria-hidden': 'true' }), h('strong', {}, t(`health.${state}`)), ' ', t(`leds.${state}`)),
      h('h2', {}, t('dashboard.checks')),
      s.health.checks.length
        ? h('ul', { class: 'checks' }, s.health.checks.map((c) => h('li', { class: `check ${c.level}` },
          h('span', { class: `badge ${c.level}` }, t(`health.level.${c.level}`)), ' ', h('strong', {}, c.name), c.reason ? `: ${c.reason}` : '')))
        : h('p', {}, t('dashboard.noChecks')),
      ...operationView(s),
      h('h2', {}, t('dashboard.leds')),
      ...ledMirror(s.leds)];
  }

  /** A running backup or restore with the server's own progress, and a failed restore's reason. */
  function operationView(s) {
    const out = [];
    if (s.operation) {
      const op = s.operation;
      out.push(h('p', { class: 'progress-message', role: 'status' }, t(`dashboard.operation.${op.operation}`,
        { phase: op.phase, files: op.filesDone, totalFiles: op.filesTotal, done: formatBytes(op.bytesDone), total: formatBytes(op.bytesTotal) })));
    }
    if (s.restoreError) out.push(h('p', { class: 'error', role: 'alert' }, s.restoreError));
    return out;
  }

  /** The box's lights as they are now (same colours and rhythms, via CSS), and the wiring test. */
  function ledMirror(leds) {
    if (!leds || !leds.pattern) return [h('p', { class: 'muted' }, t('dashboard.noLeds'))];
    const lamps = Object.entries(leds.pattern).map(([led, pattern]) => h('li', { class: 'lamp' },
      h('span', { class: `ledlamp ${led} ${pattern}`, 'aria-hidden': 'true' }),
      h('span', {}, `${t(`dashboard.lamp.${led}`)}: ${t(`dashboard.pattern.${pattern}`)}`)));
    const activities = (leds.activities || []).length ? leds.activities.join(', ') : t('dashboard.noActivity');
    const result = h('p', { role: 'status', 'aria-live': 'polite' });
    const test = h('button', { type: 'button', class: 'secondary', onclick: async () => {
      const r = await api('POST', '/api/hardware/test');
      result.textContent = r.ok ? t('dashboard.wiringTestRunning', { leds: (r.data.leds || []).join(', ') }) : apiMessage(r);
    } }, t('dashboard.wiringTest'));
    return [h('ul', { class: 'lamps' }, lamps), h('p', {}, `${t('dashboard.activities')}: ${activities}`),
      leds.platform === 'none' ? h('p', { class: 'muted' }, t('dashboard.noHardware')) : h('div', {}, test, result)];
  }

  function mailboxes(el) { el.append(mailboxManager({ domain: session.domain })); }

  function dns(el) { dnsStep(el, { results: {} }, (...b) => h('div', { class: 'buttons' }), () => {}); }

  async function aliases(el) {
    const list = h('ul', { class: 'aliases', 'aria-live': 'polite' });
    const form = h('form', { novalidate: true },
      field({ name: 'alias', label: t('aliases.alias'), placeholder: `info@${session.domain || 'example.com'}`, inputmode: 'email' }),
      field({ name: 'target', label: t('aliases.target'), inputmode: 'email' }),
      formError(), h('button', { type: 'submit', class: 'primary' }, t('aliases.add')));
    const load = async () => {
      const result = await api('GET', '/api/aliases');
      if (!result.ok) return;
      list.replaceChildren(...(result.data.length ? result.data.map((a) => h('li', {}, h('code', {}, a.alias), ' → ', h('code', {}, a.target), ' ',
        h('button', { type: 'button', class: 'small danger', 'aria-label': t('aliases.deleteLabel', { alias: a.alias }),
          onclick: async () => { await api('DELETE', `/api/aliases/${encodeURIComponent(a.alias)}`); load(); } }, t('aliases.delete'))))
        : [h('li', { class: 'empty' }, t('aliases.none'))]));
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('POST', '/api/aliases', { alias: form.alias.value.trim(), target: form.target.value.trim() });
      if (!result.ok) return showError(form, (result.data && result.data.field) || (result.status === 404 ? 'target' : result.status === 409 ? 'alias' : null), apiMessage(result));
      form.reset();
      load();
    });
    el.append(form, h('h2', {}, t('aliases.existing')), list);
    load();
  }

  async function security(el) {
    const info = await api('GET', '/api/admin/session');
    const box = h('div', { class: 'two-factor' });
    el.append(h('h2', {}, t('security.twoFactor')), box);
    if (info.ok && info.data.twoFactor) {
      const form = h('form', { novalidate: true },
        h('p', { class: 'notice ok' }, t('security.on', { n: info.data.recoveryCodesLeft })),
        field({ name: 'code', label: t('security.codeToDisable'), inputmode: 'numeric', autocomplete: 'one-time-code' }),
        formError(), h('button', { type: 'submit', class: 'danger' }, t('security.disable')));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const result = await api('POST', '/api/admin/2fa/disable', { code: form.code.value.trim() });
        if (!result.ok) return showError(form, 'code', apiMessage(result));
        show('security');
      });
      box.append(form);
      return;
    }
    const start = h('button', { type: 'button', class: 'primary', id: 'enable-2fa' }, t('security.enable'));
    start.addEventListener('click', async () => {
      const result = await api('POST', '/api/admin/2fa');
      if (!result.ok) { box.append(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
      const form = h('form', { novalidate: true },
        h('p', {}, t('security.scan')),
        h('figure', { class: 'qr-figure' }, qrImage(result.data.uri, t('security.qrAlt')),
          h('figcaption', {}, t('security.secret'), ' ', h('code', { id: 'totp-secret' }, result.data.secret))),
        field({ name: 'code', label: t('security.code'), inputmode: 'numeric', autocomplete: 'one-time-code' }),
        formError(), h('button', { type: 'submit', class: 'primary' }, t('security.confirm')));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        clearErrors(form);
        const confirmed = await api('POST', '/api/admin/2fa/confirm', { code: form.code.value.trim() });
        if (!confirmed.ok) return showError(form, 'code', apiMessage(confirmed));
        const codes = confirmed.data.recoveryCodes.join('\n');
        box.replaceChildren(h('p', { class: 'notice ok', role: 'status' }, t('security.enabled')),
          h('p', {}, t('security.recoveryExplain')), h('pre', { class: 'recovery-codes' }, codes), await copyButton(codes, t('common.copy')),
          h('p', {}, t('security.appPasswordsHint')));
      });
      box.replaceChildren(form);
      form.code.focus();
    });
    box.append(h('p', {}, t('security.explain')), start);
  }
}
