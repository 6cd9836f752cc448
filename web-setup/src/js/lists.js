// Allow and block lists (GET/POST/DELETE /api/lists): global entries and one mailbox's, with the audit trail of
// every change (GET /api/lists/audit).
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, confirmBox } from './dom.js';
import { api } from './api.js';
import { apiMessage, formatTime } from './util.js';

const option = (prefix) => (value) => ({ value, label: t(`${prefix}.${value}`) });

export async function listsPage(el) {
  const mailboxes = await api('GET', '/api/mailboxes');
  const addresses = mailboxes.ok ? mailboxes.data.map((m) => m.address) : [];
  const scopeOptions = [{ value: '', label: t('lists.global') }, ...addresses.map((a) => ({ value: a, label: a }))];
  const table = h('div', { class: 'list-entries', 'aria-live': 'polite' });
  const audit = h('ol', { class: 'audit' });
  const filter = field({ name: 'listFilter', label: t('lists.show'), type: 'select',
    options: [{ value: '*', label: t('lists.everything') }, ...scopeOptions] });

  const form = h('form', { novalidate: true, class: 'list-add' },
    h('h2', {}, t('lists.add')),
    h('div', { class: 'row' },
      field({ name: 'action', label: t('lists.action'), type: 'select', options: ['block', 'allow'].map(option('lists.action')) }),
      field({ name: 'type', label: t('lists.type'), type: 'select', options: ['address', 'domain', 'ip'].map(option('lists.type')) })),
    field({ name: 'value', label: t('lists.value'), hint: t('lists.valueHint.address'), inputmode: 'email' }),
    field({ name: 'mailbox', label: t('lists.mailbox'), type: 'select', options: scopeOptions, hint: t('lists.mailboxHint') }),
    field({ name: 'note', label: t('lists.note') }),
    formError(),
    h('button', { type: 'submit', class: 'primary' }, t('lists.addButton')));
  form.elements.type.addEventListener('change', () => {
    form.querySelector('#f-value-hint').textContent = t(`lists.valueHint.${form.elements.type.value}`);
    form.elements.value.inputMode = form.elements.type.value === 'address' ? 'email' : form.elements.type.value === 'ip' ? 'decimal' : 'url';
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    if (!form.elements.value.value.trim()) return showError(form, 'value', t('lists.valueMissing'));
    const body = { action: form.elements.action.value, type: form.elements.type.value, value: form.elements.value.value.trim(),
      mailbox: form.elements.mailbox.value || undefined, note: form.elements.note.value.trim() || undefined };
    const result = await api('POST', '/api/lists', body);
    if (!result.ok) return showError(form, (result.data && result.data.field) || (result.status === 409 ? 'value' : null), apiMessage(result, { 409: 'lists.exists' }));
    form.elements.value.value = '';
    form.elements.note.value = '';
    await load();
    form.elements.value.focus();
  });

  async function load() {
    const scope = filter.querySelector('select').value;
    const query = scope === '*' ? '?all=true' : scope ? `?mailbox=${encodeURIComponent(scope)}` : '';
    const [entries, changes] = await Promise.all([api('GET', `/api/lists${query}`), api('GET', '/api/lists/audit?limit=30')]);
    if (!entries.ok) { table.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(entries))); return; }
    table.replaceChildren(entries.data.length ? h('table', { class: 'entries' },
      h('caption', { class: 'sr-only' }, t('lists.entries')),
      h('thead', {}, h('tr', {}, ['action', 'type', 'value', 'mailbox', 'noteColumn', ''].map((c) => h('th', { scope: 'col' }, c ? t(`lists.${c}`) : h('span', { class: 'sr-only' }, t('lists.remove')))))),
      h('tbody', {}, entries.data.map(row))) : h('p', { class: 'empty' }, t('lists.none')));
    if (changes.ok) {
      audit.replaceChildren(...(changes.data.length ? changes.data.map((a) => h('li', {},
        h('time', { datetime: new Date(a.at).toISOString() }, formatTime(a.at)), ' ',
        t(`lists.audit.${a.change}`, { actor: a.actor, action: t(`lists.action.${a.action}`), type: t(`lists.type.${a.type}`), value: a.value,
          scope: a.mailbox || t('lists.global') }))) : [h('li', { class: 'empty' }, t('lists.noChanges'))]));
    }
  }

  function row(entry) {
    const actions = h('td', {});
    const removeButton = h('button', { type: 'button', class: 'small danger', 'aria-label': t('lists.removeLabel', { value: entry.value }),
      onclick: () => actions.replaceChildren(confirmBox(t('lists.removeConfirm', { value: entry.value, action: t(`lists.action.${entry.action}`) }), t('lists.remove'),
        async () => {
          const result = await api('DELETE', `/api/lists/${entry.id}`);
          if (!result.ok) { actions.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
          await load();
          (table.querySelector('button') || form.elements.value).focus();
        },
        () => { actions.replaceChildren(removeButton); removeButton.focus(); })) }, t('lists.remove'));
    actions.append(removeButton);
    return h('tr', { 'data-entry': entry.value, class: `list-${entry.action}` },
      h('td', { 'data-label': t('lists.action') }, h('span', { class: `badge ${entry.action === 'block' ? 'fault' : 'ok'}` }, t(`lists.action.${entry.action}`))),
      h('td', { 'data-label': t('lists.type') }, t(`lists.type.${entry.type}`)),
      h('td', { 'data-label': t('lists.value') }, h('code', {}, entry.value)),
      h('td', { 'data-label': t('lists.mailbox') }, entry.mailbox || t('lists.global')),
      h('td', { 'data-label': t('lists.noteColumn') }, entry.note || ''),
      actions);
  }

  filter.querySelector('select').addEventListener('change', load);
  el.append(h('p', { class: 'lead' }, t('lists.explain')), form, h('h2', {}, t('lists.entries')), filter, table,
    h('h2', {}, t('lists.changes')), audit);
  await load();
}
