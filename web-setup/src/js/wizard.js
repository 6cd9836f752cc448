// The first-boot wizard: claim → passphrase → domain (these three end in POST /api/setup) → network → DDNS →
// DNS records → certificate → mailboxes → backup → summary. Steps after the domain run signed in as admin.
import { t } from './i18n.js';
import { h, field, showError, clearErrors, formError, notAvailable, resultLine } from './dom.js';
import { api, setCsrf } from './api.js';
import { loadLists, strength, suggestPassphrase } from './strength.js';
import { asciiDomain, apiMessage, sleep } from './util.js';
import * as features from './features.js';
import { mailboxManager } from './mailboxes.js';
import { restoreForm } from './backup.js';

const STEPS = ['claim', 'passphrase', 'domain', 'network', 'ddns', 'dns', 'certificate', 'mailboxes', 'backup', 'summary'];
const FIRST_SIGNED_IN_STEP = STEPS.indexOf('network');

export function startWizard(root, { setupDone, onFinish }) {
  const state = {
    token: '', claim: null, password: '', domain: '', hostname: '', setupDone,
    results: {}, // step → {state: 'ok'|'pending'|'unavailable'|'skipped', detail}
    step: setupDone ? FIRST_SIGNED_IN_STEP : 0,
    pendingError: null, // {step, field, message} carried back to an earlier step
  };
  const views = { claim, passphrase, domain, network, ddns, dns, certificate, mailboxes, backup, summary };

  function go(index) {
    state.step = index;
    render();
  }
  const next = () => go(state.step + 1);
  const back = () => go(state.step - 1);

  function render() {
    const name = STEPS[state.step];
    const reachable = (i) => (state.setupDone ? i >= FIRST_SIGNED_IN_STEP : i <= state.step);
    const nav = h('nav', { class: 'steps', 'aria-label': t('wizard.stepsLabel') },
      h('p', { class: 'step-count' }, t('wizard.stepOf', { n: state.step + 1, total: STEPS.length })),
      h('ol', {}, STEPS.map((s, i) => h('li', { class: i < state.step ? 'done' : '' },
        reachable(i) && i !== state.step
          ? h('a', { href: `#step-${s}`, onclick: (e) => { e.preventDefault(); go(i); } }, t(`step.${s}.title`))
          : h('span', { 'aria-current': i === state.step ? 'step' : undefined }, t(`step.${s}.title`))))));
    const section = h('section', { class: 'step', 'aria-labelledby': 'step-title', 'data-step': name },
      h('h1', { id: 'step-title', tabindex: '-1' }, t(`step.${name}.title`)),
      h('p', { class: 'lead' }, t(`step.${name}.lead`)));
    root.replaceChildren(h('div', { class: 'wizard' }, nav, section));
    views[name](section);
    document.title = `${t(`step.${name}.title`)} · MailKeep`;
    section.querySelector('h1').focus();
    if (state.pendingError && state.pendingError.step === name) {
      const form = section.querySelector('form');
      showError(form, state.pendingError.field, state.pendingError.message);
      state.pendingError = null;
    }
  }

  function buttons(...extra) {
    return h('div', { class: 'buttons' },
      state.step > (state.setupDone ? FIRST_SIGNED_IN_STEP : 0) ? h('button', { type: 'button', class: 'secondary', onclick: back }, t('common.back')) : null,
      ...extra);
  }

  // 1. Claim the box with the setup token (or restore from a backup instead).
  function claim(section) {
    const form = h('form', { novalidate: true },
      field({ name: 'token', label: t('claim.token'), hint: t('claim.tokenHint'), value: state.token, required: true }),
      formError(),
      buttons(h('button', { type: 'submit', class: 'primary' }, t('claim.submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const token = form.token.value.trim();
      if (!token) return showError(form, 'token', t('claim.tokenMissing'));
      const result = await api('POST', '/api/setup/claim', { token });
      if (result.ok) {
        state.token = token;
        return next();
      }
      showError(form, 'token', apiMessage(result, { 403: 'claim.wrongToken' }));
    });
    // the token typed above (not yet claimed) serves the restore too
    section.append(form, buttonClaim(), h('details', { class: 'restore' },
      h('summary', {}, t('claim.restoreInstead')), restoreForm(() => state.token || form.token.value.trim(), onFinish)));
  }

  // Physical presence instead of the token: POST /api/setup/claim {"method":"button"} starts a 60 s wait, a short
  // press of the box's button confirms it, GET /api/setup/claim then hands this browser a one-time claim.
  function buttonClaim() {
    const line = h('p', { class: 'progress-message', role: 'status', 'aria-live': 'polite' });
    const start = h('button', { type: 'button', class: 'secondary', id: 'claim-button' }, t('claim.button'));
    const box = h('div', { class: 'button-claim' }, h('h2', {}, t('claim.buttonTitle')), h('p', {}, t('claim.buttonExplain')), start, line);
    start.addEventListener('click', async () => {
      start.disabled = true;
      const begun = await api('POST', '/api/setup/claim', { method: 'button' });
      if (begun.status !== 202) {
        start.disabled = false;
        if ([409, 429, 0].includes(begun.status)) resultLine(line, false, apiMessage(begun));
        else line.replaceChildren(notAvailable(t('claim.buttonTitle'), true)); // a box without button claims refuses the body
        return;
      }
      for (;;) {
        const now = await api('GET', '/api/setup/claim');
        if (!line.isConnected) return;
        if (!now.ok) { resultLine(line, false, apiMessage(now)); break; }
        if (now.data.state === 'claimed' && now.data.claim) {
          state.claim = now.data.claim;
          state.token = '';
          next();
          return;
        }
        if (now.data.state !== 'waiting') { resultLine(line, false, t('claim.buttonTimedOut')); break; }
        const left = Math.max(0, Math.round((new Date(now.data.waitingUntil).getTime() - Date.now()) / 1000));
        line.className = 'progress-message';
        line.textContent = t('claim.buttonWaiting', { seconds: left });
        await sleep(1000);
      }
      start.disabled = false;
    });
    return box;
  }

  // 2. Admin passphrase with a strength meter; short or common ones are refused (here and by the server).
  function passphrase(section) {
    const meter = h('meter', { id: 'strength-meter', min: '0', max: '4', low: '2', high: '3', optimum: '4', value: '0', 'aria-labelledby': 'strength-label' });
    const verdict = h('span', { id: 'strength-text', 'aria-live': 'polite' });
    const form = h('form', { novalidate: true },
      field({ name: 'adminPassword', label: t('passphrase.label'), type: 'password', autocomplete: 'new-password', hint: t('passphrase.hint'), value: state.password }),
      h('div', { class: 'strength' }, h('span', { id: 'strength-label' }, t('passphrase.strength')), meter, verdict),
      h('div', { class: 'inline-buttons' },
        h('button', { type: 'button', class: 'secondary', id: 'suggest', onclick: suggest }, t('passphrase.suggest')),
        h('button', { type: 'button', class: 'secondary', id: 'reveal', 'aria-pressed': 'false', onclick: reveal }, t('passphrase.show'))),
      field({ name: 'adminPassword2', label: t('passphrase.confirm'), type: 'password', autocomplete: 'new-password', value: state.password }),
      formError(),
      buttons(h('button', { type: 'submit', class: 'primary' }, t('common.next'))));
    const input = form.querySelector('#f-adminPassword');
    const update = () => {
      const s = strength(input.value);
      meter.value = s.score;
      verdict.textContent = t(s.key);
    };
    function suggest() {
      clearErrors(form);
      const phrase = suggestPassphrase();
      input.value = phrase;
      form.adminPassword2.value = phrase;
      setVisible(true);
      update();
      input.focus();
    }
    function setVisible(visible) {
      input.type = form.adminPassword2.type = visible ? 'text' : 'password';
      form.querySelector('#reveal').setAttribute('aria-pressed', String(visible));
      form.querySelector('#reveal').textContent = t(visible ? 'passphrase.hide' : 'passphrase.show');
    }
    function reveal() { setVisible(input.type === 'password'); }
    loadLists().then(update);
    input.addEventListener('input', update);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      await loadLists();
      const s = strength(input.value);
      if (s.score === 0) return showError(form, 'adminPassword', t(`passphrase.refused.${s.key.split('.')[1]}`));
      if (form.adminPassword2.value !== input.value) return showError(form, 'adminPassword2', t('passphrase.mismatch'));
      state.password = input.value;
      next();
    });
    section.append(form);
  }

  // 3. Domain and host name (IDN shown as it will be published); this step completes POST /api/setup.
  function domain(section) {
    const form = h('form', { novalidate: true },
      field({ name: 'domain', label: t('domain.domain'), hint: t('domain.domainHint'), value: state.domain, placeholder: 'example.com', inputmode: 'url' }),
      field({ name: 'hostname', label: t('domain.hostname'), hint: t('domain.hostnameHint'), value: state.hostname, placeholder: 'mail.example.com', inputmode: 'url' }),
      formError(),
      buttons(h('button', { type: 'submit', class: 'primary' }, t('domain.submit'))));
    let hostEdited = Boolean(state.hostname);
    const idnHint = (name) => {
      const value = form[name].value.trim();
      const ascii = asciiDomain(value);
      form.querySelector(`#f-${name}-hint`).textContent = ascii && ascii !== value.toLowerCase()
        ? t('domain.idn', { ascii }) : t(`domain.${name}Hint`);
    };
    form.domain.addEventListener('input', () => {
      if (!hostEdited) form.hostname.value = form.domain.value.trim() ? `mail.${form.domain.value.trim()}` : '';
      idnHint('domain');
      idnHint('hostname');
    });
    form.hostname.addEventListener('input', () => { hostEdited = form.hostname.value.trim() !== ''; idnHint('hostname'); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      state.domain = form.domain.value.trim();
      state.hostname = form.hostname.value.trim();
      if (!state.domain) return showError(form, 'domain', t('domain.missing'));
      if (!state.hostname) return showError(form, 'hostname', t('domain.hostnameMissing'));
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      submit.textContent = t('domain.saving');
      const result = await api('POST', '/api/setup', { token: state.claim ? undefined : state.token, claim: state.claim || undefined,
        domain: state.domain, hostname: state.hostname, adminPassword: state.password });
      submit.disabled = false;
      submit.textContent = t('domain.submit');
      if (!result.ok) {
        const fieldName = result.data && result.data.field;
        const message = apiMessage(result, { 403: 'claim.wrongToken' });
        if (fieldName === 'token' || fieldName === 'claim') {
          state.claim = null;
          state.pendingError = { step: 'claim', field: 'token', message };
          return go(0);
        }
        if (fieldName === 'adminPassword') { state.pendingError = { step: 'passphrase', field: 'adminPassword', message }; return go(1); }
        return showError(form, fieldName, message);
      }
      const login = await api('POST', '/api/admin/login', { password: state.password });
      if (!login.ok) return showError(form, null, apiMessage(login));
      setCsrf(login.data.csrf);
      state.setupDone = true;
      state.results.domain = { state: 'ok' };
      next();
    });
    section.append(form);
  }

  // 4–7 and 9: features other parts of the appliance provide; each says plainly when it is not there yet.
  function network(section) { features.networkStep(section, state, buttons, next); }
  function ddns(section) { features.ddnsStep(section, state, buttons, next); }
  function dns(section) { features.dnsStep(section, state, buttons, next); }
  function certificate(section) { features.certificateStep(section, state, buttons, next); }
  function backup(section) { features.backupStep(section, state, buttons, next); }

  // 8. First mailboxes, each with its client setup (autoconfig, Outlook, Apple profile, QR code).
  function mailboxes(section) {
    section.append(mailboxManager({ domain: asciiDomain(state.domain) || state.domain, wizard: true,
      onChange: (list) => { state.results.mailboxes = { state: list.length ? 'ok' : 'pending', detail: list.length }; } }),
    buttons(h('button', { type: 'button', class: 'primary', onclick: next }, t('common.next'))));
  }

  // 10. Summary: what works, what is pending, what the lights will show.
  function summary(section) {
    const row = (key) => {
      const r = state.results[key] || { state: 'skipped' };
      return h('li', { class: `result ${r.state}`, 'data-result': key },
        h('strong', {}, t(`step.${key}.title`)), ': ', t(`summary.${r.state}`),
        r.note ? h('span', { class: 'note' }, ` — ${r.note}`) : null);
    };
    section.append(
      h('ul', { class: 'results' }, ['domain', 'network', 'ddns', 'dns', 'certificate', 'mailboxes', 'backup'].map(row)),
      h('h2', {}, t('summary.ledsTitle')),
      h('ul', { class: 'leds' },
        ['ok', 'warning', 'fault'].map((s) => h('li', {}, h('span', { class: `led ${s}`, 'aria-hidden': 'true' }), t(`leds.${s}`)))),
      buttons(h('button', { type: 'button', class: 'primary', onclick: onFinish }, t('summary.finish'))));
  }

  render();
}
