// Mailboxes: create (with a generated passphrase), rename (keeps all mail), reset password, app passwords,
// delete with confirmation, and each mailbox's client setup (Thunderbird, Outlook, Apple profile, QR code).
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, copyButton, qrImage, panelActions } from './dom.js';
import { api } from './api.js';
import { apiMessage, formatBytes, formatTime } from './util.js';
import { loadLists, suggestPassphrase } from './strength.js';

const enc = encodeURIComponent;
const MB = 1024 * 1024;

export function mailboxManager({ domain, wizard = false, onChange = () => {} }) {
  const list = h('ul', { class: 'mailboxes', 'aria-live': 'polite' });
  const root = h('div', { class: 'mailbox-manager' }, createForm(), h('h2', {}, t('mailboxes.existing')), list);

  function createForm() {
    const form = h('form', { novalidate: true, class: 'create-mailbox' },
      h('h2', {}, t('mailboxes.create')),
      field({ name: 'address', label: t('mailboxes.address'), hint: t('mailboxes.addressHint', { domain }), placeholder: `name@${domain || 'example.com'}`, inputmode: 'email', autocomplete: 'off' }),
      field({ name: 'displayName', label: t('mailboxes.displayName'), autocomplete: 'off' }),
      field({ name: 'password', label: t('mailboxes.password'), hint: t('mailboxes.passwordHint'), autocomplete: 'new-password' }),
      h('div', { class: 'inline-buttons' }, h('button', { type: 'button', class: 'secondary', id: 'generate-password' }, t('mailboxes.generate'))),
      formError(),
      h('button', { type: 'submit', class: wizard ? 'secondary' : 'primary' }, t('mailboxes.add')));
    form.querySelector('#generate-password').addEventListener('click', async () => {
      await loadLists();
      form.password.value = suggestPassphrase(5);
      form.password.focus();
    });
    form.address.addEventListener('blur', () => {
      const v = form.address.value.trim();
      if (v && !v.includes('@') && domain) form.address.value = `${v}@${domain}`;
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { address: form.address.value.trim(), password: form.password.value, displayName: form.displayName.value.trim() || undefined };
      if (body.address && !body.address.includes('@') && domain) body.address = `${body.address}@${domain}`;
      const result = await api('POST', '/api/mailboxes', body);
      if (!result.ok) return showError(form, (result.data && result.data.field) || (result.status === 409 ? 'address' : null), apiMessage(result, { 409: 'mailboxes.exists' }));
      const created = h('div', { class: 'notice ok', role: 'status' },
        t('mailboxes.created', { address: result.data.address }), ' ',
        h('span', {}, t('mailboxes.writeDown')), ' ', h('code', { class: 'secret' }, body.password));
      form.reset();
      form.querySelector('.created-notice')?.remove();
      created.classList.add('created-notice');
      form.append(created);
      refresh();
    });
    return form;
  }

  async function refresh() {
    const [result, session] = await Promise.all([api('GET', '/api/mailboxes'), api('GET', '/api/admin/session')]);
    if (!result.ok) { list.replaceChildren(h('li', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
    const hostname = session.ok ? session.data.hostname : location.hostname;
    list.replaceChildren(...(result.data.length ? result.data.map((m) => item(m, hostname)) : [h('li', { class: 'empty' }, t('mailboxes.none'))]));
    onChange(result.data);
  }

  function item(m, hostname) {
    const li = h('li', { class: 'mailbox', 'data-address': m.address },
      h('div', { class: 'mailbox-head' },
        h('strong', {}, m.address), m.displayName ? h('span', { class: 'muted' }, ` — ${m.displayName}`) : null,
        h('span', { class: 'muted usage' }, ` · ${formatBytes(m.usedBytes)}`),
        m.quotaBytes ? h('span', { class: 'muted quota' }, ` ${t('mailboxes.ofQuota', { quota: formatBytes(m.quotaBytes), percent: Math.round((100 * m.usedBytes) / m.quotaBytes) })}`) : null));
    const panel = h('div', { class: 'mailbox-panel' });
    li.append(panelActions(li, panel, 'mailboxes.action', [
      ['clients', () => clientSetup(m.address, hostname)],
      ['rename', () => renameForm(m)],
      ['password', () => passwordForm(m)],
      ['quota', () => quotaForm(m)],
      ['appPasswords', () => appPasswords(m)],
      ['senders', () => senderIdentities(m)],
      ['delete', () => deleteConfirm(m)]]), panel);
    return li;
  }

  function renameForm(m) {
    const form = h('form', { novalidate: true },
      field({ name: 'address', label: t('mailboxes.newAddress'), value: m.address, hint: t('mailboxes.renameHint') }),
      formError(), h('button', { type: 'submit', class: 'primary' }, t('mailboxes.rename')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('PATCH', `/api/mailboxes/${enc(m.address)}`, { address: form.address.value.trim() });
      if (!result.ok) return showError(form, (result.data && result.data.field) || (result.status === 409 ? 'address' : null), apiMessage(result, { 409: 'mailboxes.exists' }));
      refresh();
    });
    return form;
  }

  function passwordForm(m) {
    const form = h('form', { novalidate: true },
      field({ name: 'password', label: t('mailboxes.newPassword'), autocomplete: 'new-password' }),
      formError(), h('button', { type: 'submit', class: 'primary' }, t('mailboxes.setPassword')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('PATCH', `/api/mailboxes/${enc(m.address)}`, { password: form.password.value });
      if (!result.ok) return showError(form, result.data && result.data.field, apiMessage(result));
      form.replaceChildren(h('p', { class: 'notice ok', role: 'status' }, t('mailboxes.passwordSet')));
    });
    return form;
  }

  // the quota in MB as people think of it; the API takes bytes, 0 = no limit
  function quotaForm(m) {
    const form = h('form', { novalidate: true, class: 'quota-form' },
      field({ name: 'quotaMb', label: t('mailboxes.quota'), type: 'number', min: '0', inputmode: 'numeric',
        value: m.quotaBytes ? String(Math.round(m.quotaBytes / MB)) : '0', hint: t('mailboxes.quotaHint', { used: formatBytes(m.usedBytes) }) }),
      formError(), h('button', { type: 'submit', class: 'primary' }, t('mailboxes.setQuota')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const mb = Number(form.elements.quotaMb.value);
      if (form.elements.quotaMb.value.trim() === '' || !Number.isFinite(mb) || mb < 0) return showError(form, 'quotaMb', t('mailboxes.quotaInvalid'));
      const result = await api('PATCH', `/api/mailboxes/${enc(m.address)}`, { quotaBytes: Math.round(mb * MB) });
      if (!result.ok) return showError(form, result.data && result.data.field === 'quotaBytes' ? 'quotaMb' : null, apiMessage(result));
      refresh();
    });
    return form;
  }

  function deleteConfirm(m) {
    return h('div', { class: 'confirm', role: 'group', 'aria-label': t('mailboxes.action.delete') },
      h('p', {}, t('mailboxes.deleteConfirm', { address: m.address })),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        const result = await api('DELETE', `/api/mailboxes/${enc(m.address)}`);
        if (result.ok) refresh();
      } }, t('mailboxes.deleteForGood')));
  }

  function appPasswords(m) {
    const box = h('div', { class: 'app-passwords' }, h('p', {}, t('appPasswords.explain')));
    const rows = h('ul', {});
    const form = h('form', { novalidate: true },
      field({ name: 'label', label: t('appPasswords.label'), placeholder: t('appPasswords.labelExample') }),
      formError(), h('button', { type: 'submit', class: 'secondary' }, t('appPasswords.create')));
    const load = async () => {
      const result = await api('GET', `/api/mailboxes/${enc(m.address)}/app-passwords`);
      if (!result.ok) { rows.replaceChildren(h('li', { class: 'error' }, apiMessage(result))); return; }
      rows.replaceChildren(...result.data.map((p) => h('li', {}, p.label, ' ',
        h('span', { class: 'muted' }, p.lastUsedAt ? t('appPasswords.lastUsed', { when: formatTime(p.lastUsedAt) }) : t('appPasswords.neverUsed')), ' ',
        h('button', { type: 'button', class: 'small danger', onclick: async () => { await api('DELETE', `/api/mailboxes/${enc(m.address)}/app-passwords/${p.id}`); load(); } }, t('appPasswords.revoke')))));
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('POST', `/api/mailboxes/${enc(m.address)}/app-passwords`, { label: form.label.value.trim() });
      if (!result.ok) return showError(form, result.data && result.data.field, apiMessage(result));
      form.reset();
      box.querySelector('.new-secret')?.remove();
      box.insertBefore(h('div', { class: 'notice ok new-secret', role: 'status' }, t('appPasswords.showOnce'), ' ',
        h('code', { class: 'secret' }, result.data.password), ' ', await copyButton(result.data.password, t('common.copy'))), rows);
      load();
    });
    box.append(rows, form);
    load();
    return box;
  }

  // the addresses the mailbox may send as (own, aliases, granted); only granted ones can be revoked here
  function senderIdentities(m) {
    const url = `/api/mailboxes/${enc(m.address)}/sender-identities`;
    const rows = h('ul', { class: 'sender-identities' });
    const form = h('form', { novalidate: true },
      field({ name: 'address', label: t('senders.address'), placeholder: `info@${domain || 'example.com'}`, inputmode: 'email', autocomplete: 'off' }),
      formError(), h('button', { type: 'submit', class: 'secondary' }, t('senders.grant')));
    const load = async () => {
      const result = await api('GET', url);
      if (!result.ok) { rows.replaceChildren(h('li', { class: 'error' }, apiMessage(result))); return; }
      rows.replaceChildren(...result.data.map((s) => h('li', { 'data-identity': s.address }, h('code', {}, s.address), ' ',
        h('span', { class: 'muted' }, t(`senders.source.${s.source}`)), ' ',
        s.source === 'granted' ? h('button', { type: 'button', class: 'small danger', onclick: async () => { await api('DELETE', `${url}/${enc(s.address)}`); load(); } }, t('senders.revoke')) : null)));
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const result = await api('POST', url, { address: form.address.value.trim() });
      if (!result.ok) return showError(form, 'address', apiMessage(result));
      form.reset();
      load();
    });
    load();
    return h('div', { class: 'sender-identities-panel' }, h('p', {}, t('senders.explain')), rows, form);
  }

  refresh();
  return root;
}

/** How to set up a mail program for address: server names, the automatic ways and a QR code for phones. */
export function clientSetup(address, hostname) {
  const profile = `${location.origin}/apple/mailkeep.mobileconfig?email=${enc(address)}`;
  return h('div', { class: 'client-setup' },
    h('dl', { class: 'facts' },
      h('dt', {}, t('clients.user')), h('dd', {}, h('code', {}, address)),
      h('dt', {}, t('clients.imap')), h('dd', {}, h('code', {}, `${hostname}`), ` · ${t('clients.imapPorts')}`),
      h('dt', {}, t('clients.smtp')), h('dd', {}, h('code', {}, `${hostname}`), ` · ${t('clients.smtpPorts')}`)),
    h('ul', {},
      h('li', {}, h('strong', {}, 'Thunderbird: '), t('clients.thunderbird'), ' ',
        h('a', { href: `/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${enc(address)}` }, t('clients.viewConfig'))),
      h('li', {}, h('strong', {}, 'Outlook: '), t('clients.outlook')),
      h('li', {}, h('strong', {}, 'iPhone, iPad, Mac: '), h('a', { href: profile, download: 'mailkeep.mobileconfig' }, t('clients.downloadProfile')))),
    h('figure', { class: 'qr-figure' }, qrImage(profile, t('clients.qrAlt', { address })), h('figcaption', {}, t('clients.qr'))));
}
