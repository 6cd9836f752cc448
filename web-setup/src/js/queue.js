// The outbound queue (GET /api/queue): every waiting message with each recipient's state, "retry now"
// (POST /api/queue/{id}/retry) and removal with the choice to tell the sender or not (DELETE ?bounce=).
import { t } from './i18n.js';
import { h, confirmBox, resultLine } from './dom.js';
import { api } from './api.js';
import { apiMessage, formatBytes, formatTime } from './util.js';

export async function queuePage(el) {
  const list = h('div', { class: 'queue', 'aria-live': 'polite' });
  const line = h('p', { class: 'test-result', 'aria-live': 'polite' });
  const refresh = h('button', { type: 'button', class: 'secondary', id: 'queue-refresh', onclick: () => load() }, t('queue.refresh'));

  async function load() {
    const result = await api('GET', '/api/queue');
    if (!result.ok) { list.replaceChildren(h('p', { class: 'error', role: 'alert' }, apiMessage(result))); return; }
    list.replaceChildren(...(result.data.length ? result.data.map(entry) : [h('p', { class: 'empty' }, t('queue.empty'))]));
  }

  function entry(e) {
    const actions = h('div', { class: 'inline-buttons' });
    const article = h('article', { class: 'queue-entry', 'data-entry': String(e.id), 'aria-labelledby': `q-${e.id}` },
      h('h2', { id: `q-${e.id}` }, t('queue.entry', { from: e.from || t('queue.nullSender'), id: e.id })),
      h('p', { class: 'muted' }, t('queue.meta', { when: formatTime(e.createdAt), size: formatBytes(e.size), user: e.authenticatedUser || '—' })),
      h('table', {},
        h('caption', { class: 'sr-only' }, t('queue.recipients')),
        h('thead', {}, h('tr', {}, ['recipient', 'status', 'attempts', 'lastError', 'next', 'route'].map((c) => h('th', { scope: 'col' }, t(`queue.${c}`))))),
        h('tbody', {}, e.recipients.map((r) => h('tr', { class: `rcpt-${r.status}` },
          h('td', { 'data-label': t('queue.recipient') }, h('code', {}, r.recipient)),
          h('td', { 'data-label': t('queue.status') }, h('span', { class: `badge ${r.status === 'delivered' ? 'ok' : r.status === 'bounced' ? 'fault' : 'warning'}` }, t(`queue.status.${r.status}`))),
          h('td', { 'data-label': t('queue.attempts') }, String(r.attempts)),
          h('td', { 'data-label': t('queue.lastError') }, r.lastError || '—', r.remoteMta ? h('span', { class: 'muted' }, ` (${r.remoteMta})`) : null),
          h('td', { 'data-label': t('queue.next') }, r.status === 'queued' ? formatTime(r.nextAttemptAt) : '—'),
          h('td', { 'data-label': t('queue.route') }, t(`queue.route.${r.route || 'direct'}`), r.routeReason ? h('span', { class: 'muted' }, ` — ${r.routeReason}`) : null))))),
      actions);
    const retry = h('button', { type: 'button', class: 'secondary', 'data-action': 'retry', onclick: async () => {
      const result = await api('POST', `/api/queue/${e.id}/retry`);
      resultLine(line, result.ok, result.ok ? t('queue.retrying', { id: e.id }) : apiMessage(result));
      await load();
    } }, t('queue.retry'));
    const remove = h('button', { type: 'button', class: 'danger', 'data-action': 'delete', onclick: () => {
      const choice = h('fieldset', { class: 'choice' }, h('legend', {}, t('queue.howRemove')),
        ['bounce', 'drop'].map((c) => h('label', {}, h('input', { type: 'radio', name: `remove-${e.id}`, value: c, checked: c === 'bounce' }), ' ', t(`queue.remove.${c}`))));
      actions.replaceChildren(confirmBox(t('queue.removeConfirm', { id: e.id, n: e.recipients.filter((r) => r.status === 'queued').length }), t('queue.removeNow'), async () => {
        const bounce = choice.querySelector('input:checked').value === 'bounce';
        const result = await api('DELETE', `/api/queue/${e.id}?bounce=${bounce}`);
        resultLine(line, result.ok, result.ok ? t(`queue.removed.${result.data.removed}`, { id: e.id }) : apiMessage(result));
        await load();
        refresh.focus();
      }, () => { actions.replaceChildren(retry, remove); remove.focus(); }, choice));
    } }, t('queue.delete'));
    actions.append(retry, remove);
    return article;
  }

  el.append(h('p', { class: 'lead' }, t('queue.explain')), h('div', { class: 'inline-buttons' }, refresh), line, list);
  await load();
}
