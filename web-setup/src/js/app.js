// Entry point: picks the wizard (before setup) or the admin UI (after), and wires the language switch.
import { loadLanguage, initialLanguage, t } from './i18n.js';
import { api, setCsrf, whenSessionLost } from './api.js';
import { h } from './dom.js';
import { startWizard } from './wizard.js';
import { loginView, adminView } from './admin.js';

const main = document.getElementById('main');

async function route(message) {
  const status = await api('GET', '/api/status');
  if (!status.ok) {
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('common.unreachable')));
    return;
  }
  if (!status.data.setupComplete) {
    startWizard(main, { setupDone: false, onFinish: () => route() });
    return;
  }
  const session = await api('GET', '/api/admin/session');
  if (!session.ok || !session.data.csrf) {
    loginView(main, { onSignedIn: () => route(), message });
    return;
  }
  setCsrf(session.data.csrf);
  adminView(main, {
    session: session.data,
    onSignOut: () => route(),
    onSetup: () => startWizard(main, { setupDone: true, onFinish: () => route() }),
  });
}

whenSessionLost(() => {
  if (!document.querySelector('form.login')) {
    setCsrf(null);
    loginView(main, { onSignedIn: () => route(), message: t('login.sessionEnded') });
  }
});

(async () => {
  const select = document.getElementById('lang');
  const lang = initialLanguage();
  await loadLanguage(lang);
  select.value = lang;
  select.addEventListener('change', async () => { await loadLanguage(select.value); route(); });
  await route();
})();
