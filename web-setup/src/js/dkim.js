// DKIM keys of the mail domain (GET /api/dkim/{domain}): rotation in two steps, as RFC 6376 §3.6.1 allows —
// "prepare" publishes the next key (POST .../rotate), "activate" signs with it once its record is visible
// (POST .../activate); the old key stays published as "previous" so mail in transit still verifies.
import { t } from './i18n.js';
import { h, confirmBox, resultLine, notAvailable } from './dom.js';
import { api, isUnavailable } from './api.js';
import { apiMessage } from './util.js';

export async function dkimPanel(el, domain, onChanged = () => {}) {
  const box = h('section', { class: 'dkim', 'aria-labelledby': 'dkim-title' }, h('h2', { id: 'dkim-title' }, t('dkim.title')), h('p', {}, t('dkim.explain')));
  const keys = h('div', { 'aria-live': 'polite' });
  const line = h('p', { class: 'test-result', 'aria-live': 'polite' });
  const buttons = h('div', { class: 'inline-buttons' });
  const path = `/api/dkim/${encodeURIComponent(domain)}`;
  box.append(keys, buttons, line);
  el.append(box);

  async function load() {
    const result = await api('GET', path);
    if (isUnavailable(result)) { keys.replaceChildren(notAvailable(t('dkim.title'))); return; }
    if (!result.ok) { keys.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
    keys.replaceChildren(h('table', {},
      h('caption', { class: 'sr-only' }, t('dkim.title')),
      h('thead', {}, h('tr', {}, ['selector', 'algorithm', 'role', 'record'].map((c) => h('th', { scope: 'col' }, t(`dkim.${c}`))))),
      h('tbody', {}, result.data.map((k) => h('tr', { 'data-role': k.role },
        h('td', { 'data-label': t('dkim.selector') }, h('code', {}, k.selector)),
        h('td', { 'data-label': t('dkim.algorithm') }, k.algorithm),
        h('td', { 'data-label': t('dkim.role') }, h('span', { class: `badge ${k.role === 'active' ? 'ok' : ''}` }, t(`dkim.role.${k.role}`))),
        h('td', { 'data-label': t('dkim.record') }, h('code', { class: 'value' }, k.record)))))));
    const hasNext = result.data.some((k) => k.role === 'next');
    const rotate = h('button', { type: 'button', class: 'secondary', id: 'dkim-rotate', onclick: async () => {
      const r = await api('POST', `${path}/rotate`);
      resultLine(line, r.ok, r.ok ? t('dkim.prepared', { selector: r.data.next }) : apiMessage(r));
      await load();
      onChanged();
    } }, t('dkim.rotate'));
    const activate = h('button', { type: 'button', class: 'primary', id: 'dkim-activate', onclick: () => {
      buttons.replaceChildren(confirmBox(t('dkim.activateConfirm'), t('dkim.activate'), async () => {
        const r = await api('POST', `${path}/activate`);
        resultLine(line, r.ok, r.ok ? t('dkim.activated', { selector: r.data.active }) : apiMessage(r));
        await load();
        onChanged();
      }, () => load()));
    } }, t('dkim.activate'));
    buttons.replaceChildren(hasNext ? activate : rotate);
  }
  await load();
}
