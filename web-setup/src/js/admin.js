// The admin UI after setup: sign-in (with 2FA) and one page per section; each section's page lives in its own module.
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, qrImage, copyButton, notAvailable, confirmBox } from './dom.js';
import { api, setCsrf, isUnavailable } from './api.js';
import { apiMessage, formatTime } from './util.js';
import { mailboxManager } from './mailboxes.js';
import { dnsStep } from './features.js';
import { dashboardPage, mailLogPage } from './dashboard.js';
import { listsPage } from './lists.js';
import { relayPanel } from './relay.js';
import { ddnsPanel } from './ddns.js';
import { certificatePanel } from './certificate.js';
import { queuePage } from './queue.js';
import { backupPage } from './backup.js';
import { dkimPanel } from './dkim.js';

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

const SECTIONS = ['dashboard', 'maillog', 'mailboxes', 'aliases', 'lists', 'queue', 'relay', 'ddns', 'dns', 'certificate', 'backup', 'audit', 'security'];

export function adminView(root, { session, onSignOut, onSetup }) {
  const content = h('div', { class: 'admin-content' });
  const show = (name) => {
    location.hash = name;
    nav.querySelectorAll('a').forEach((a) => a.toggleAttribute('aria-current', a.dataset.section === name));
    const heading = h('h1', { tabindex: '-1' }, t(`admin.${name}`));
    content.replaceChildren(heading);
    ({ dashboard, maillog, mailboxes, aliases, lists, queue, relay, ddns, dns, certificate, backup, audit, security })[name](content);
    heading.focus();
  };
  const nav = h('nav', { class: 'admin-nav', 'aria-label': t('admin.navLabel') },
    SECTIONS.map((s) => h('a', { href: `#${s}`, 'data-section': s, onclick: (e) => { e.preventDefault(); show(s); } }, t(`admin.${s}`))),
    h('a', { href: '#setup', onclick: (e) => { e.preventDefault(); onSetup(); } }, t('admin.setup')),
    h('button', { type: 'button', class: 'link', onclick: async () => { await api('POST', '/api/admin/logout'); setCsrf(null); onSignOut(); } }, t('admin.signOut')));
  root.replaceChildren(h('div', { class: 'admin' }, nav, content));
  show(SECTIONS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'dashboard');

  function dashboard(el) { dashboardPage(el, { go: show }); }
  function maillog(el) { mailLogPage(el); }
  function mailboxes(el) { el.append(mailboxManager({ domain: session.domain })); }
  function lists(el) { listsPage(el); }
  function queue(el) { queuePage(el); }
  function relay(el) { relayPanel(el); }
  function ddns(el) { ddnsPanel(el); }
  function certificate(el) { certificatePanel(el, { settings: true }); }
  function backup(el) { backupPage(el); }

  async function dns(el) {
    const records = h('div', {});
    el.append(records);
    const reload = () => { records.replaceChildren(); dnsStep(records, { results: {} }, () => h('div', { class: 'buttons' }), () => {}); };
    reload();
    if (session.domain) await dkimPanel(el, session.domain, reload);
  }

  // Every change made through the API, every admin login and every refused credential (GET /api/audit), newest first.
  async function audit(el) {
    const result = await api('GET', '/api/audit?limit=300');
    if (isUnavailable(result)) { el.append(notAvailable(t('admin.audit'), true)); return; }
    if (!result.ok) { el.append(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
    el.append(h('p', { class: 'lead' }, t('audit.explain')), result.data.length ? h('table', { class: 'audit-log' },
      h('caption', { class: 'sr-only' }, t('admin.audit')),
      h('thead', {}, h('tr', {}, ['at', 'actor', 'summary', 'status', 'from'].map((c) => h('th', { scope: 'col' }, t(`audit.${c}`))))),
      h('tbody', {}, result.data.map((a) => h('tr', { class: a.status >= 400 ? 'refused' : '' },
        h('td', { 'data-label': t('audit.at') }, formatTime(a.at, true)),
        h('td', { 'data-label': t('audit.actor') }, a.actor),
        h('td', { 'data-label': t('audit.summary') }, a.summary || `${a.method} ${a.path}`, h('br', {}), h('code', { class: 'muted' }, `${a.method} ${a.path}`)),
        h('td', { 'data-label': t('audit.status') }, h('span', { class: `badge ${a.status >= 400 ? 'fault' : 'ok'}` }, String(a.status))),
        h('td', { 'data-label': t('audit.from') }, a.remoteIp || '')))))
      : h('p', { class: 'empty' }, t('audit.none')));
  }

  // API tokens for scripts and monitoring (GET/POST/DELETE /api/admin/tokens): shown once, revocable.
  async function tokens(el) {
    const box = h('section', { class: 'tokens', 'aria-labelledby': 'tokens-title' }, h('h2', { id: 'tokens-title' }, t('tokens.title')));
    el.append(box);
    const first = await api('GET', '/api/admin/tokens');
    if (isUnavailable(first)) { box.append(notAvailable(t('tokens.title'), true)); return; }
    const rows = h('ul', { class: 'token-list', 'aria-live': 'polite' });
    const form = h('form', { novalidate: true, class: 'token-form' },
      field({ name: 'tokenName', label: t('tokens.name'), placeholder: t('tokens.nameExample') }),
      formError(), h('button', { type: 'submit', class: 'secondary' }, t('tokens.create')));
    const show = (result) => {
      if (!result.ok) { rows.replaceChildren(h('li', { class: 'error' }, apiMessage(result))); return; }
      rows.replaceChildren(...(result.data.length ? result.data.map((tk) => {
        const li = h('li', { 'data-token': tk.name }, h('strong', {}, tk.name), ' ',
          h('span', { class: 'muted' }, tk.lastUsedAt ? t('tokens.lastUsed', { when: formatTime(tk.lastUsedAt) }) : t('tokens.neverUsed')), ' ');
        const revoke = h('button', { type: 'button', class: 'small danger', 'aria-label': t('tokens.revokeLabel', { name: tk.name }), onclick: () => {
          revoke.replaceWith(confirmBox(t('tokens.revokeConfirm', { name: tk.name }), t('tokens.revoke'), async () => {
            const r = await api('DELETE', `/api/admin/tokens/${tk.id}`);
            if (!r.ok) li.append(h('p', { class: 'error', role: 'alert' }, apiMessage(r)));
            show(await api('GET', '/api/admin/tokens'));
          }, () => show({ ok: true, data: result.data })));
        } }, t('tokens.revoke'));
        li.append(revoke);
        return li;
      }) : [h('li', { class: 'empty' }, t('tokens.none'))]));
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('POST', '/api/admin/tokens', { name: form.elements.tokenName.value.trim() });
      if (!result.ok) return showError(form, result.data && result.data.field === 'name' ? 'tokenName' : (result.status === 409 ? 'tokenName' : null), apiMessage(result));
      form.reset();
      box.querySelector('.new-secret')?.remove();
      form.before(h('div', { class: 'notice ok new-secret', role: 'status' }, t('tokens.showOnce', { name: result.data.name }), ' ',
        h('code', { class: 'secret', id: 'new-token' }, result.data.token), ' ', await copyButton(result.data.token, t('common.copy')),
        h('p', { class: 'hint' }, t('tokens.howToUse'))));
      show(await api('GET', '/api/admin/tokens'));
    });
    box.append(h('p', {}, t('tokens.explain')), rows, form);
    show(first);
  }

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

  // the admin passphrase: the current one, then a new one under the wizard's rules (the server checks both)
  function passphraseForm() {
    const form = h('form', { novalidate: true, id: 'change-passphrase' },
      field({ name: 'current', label: t('security.currentPassphrase'), type: 'password', autocomplete: 'current-password' }),
      field({ name: 'passphrase', label: t('security.newPassphrase'), type: 'password', autocomplete: 'new-password', hint: t('security.newPassphraseHint') }),
      formError(), h('button', { type: 'submit', class: 'secondary' }, t('security.changePassphrase')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('POST', '/api/admin/passphrase', { current: form.current.value, passphrase: form.passphrase.value });
      if (!result.ok) return showError(form, result.data && result.data.field, apiMessage(result));
      form.replaceChildren(h('p', { class: 'notice ok', role: 'status' }, t('security.passphraseChanged')));
    });
    return form;
  }

  // serve the admin page only to the local network (on by default)
  async function accessForm() {
    const current = await api('GET', '/api/admin/settings');
    const box = h('input', { type: 'checkbox', id: 'lan-only', name: 'lanOnly' });
    box.checked = !current.ok || current.data.lanOnly;
    const status = h('span', { class: 'muted', 'aria-live': 'polite' });
    box.addEventListener('change', async () => {
      const result = await api('PUT', '/api/admin/settings', { lanOnly: box.checked });
      status.textContent = result.ok ? t('security.saved') : apiMessage(result);
    });
    return h('div', { class: 'lan-only' }, h('label', { for: 'lan-only' }, box, ' ', t('security.lanOnly')), ' ', status,
      h('p', { class: 'hint' }, t('security.lanOnlyHint')));
  }

  async function security(el) {
    const info = await api('GET', '/api/admin/session');
    const box = h('div', { class: 'two-factor' });
    el.append(h('h2', {}, t('security.passphrase')), passphraseForm(), h('h2', {}, t('security.access')), await accessForm(),
      h('h2', {}, t('security.twoFactor')), box);
    tokens(el);
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
