// Small DOM helpers: elements are built with textContent only (never innerHTML), so no answer can inject markup.
import { t } from './i18n.js';
import { api, isUnavailable } from './api.js';
import { apiMessage } from './util.js';

/** h('p', {class: 'x'}, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * A labelled input with its hint and an error line right below it, tied to the input by aria-describedby.
 * opts: {name, label, type, value, hint, autocomplete, required, inputmode, placeholder}
 */
export function field(opts) {
  const id = `f-${opts.idPrefix || ''}${opts.name}`;
  const tag = opts.type === 'textarea' || opts.type === 'select' ? opts.type : 'input';
  const input = h(tag, {
    id, name: opts.name, type: tag === 'input' ? (opts.type || 'text') : undefined,
    autocomplete: tag === 'select' ? undefined : (opts.autocomplete || 'off'), required: opts.required, inputmode: opts.inputmode,
    placeholder: opts.placeholder, spellcheck: tag === 'select' ? undefined : 'false', autocapitalize: tag === 'select' ? undefined : 'off',
    rows: opts.rows, min: opts.min, max: opts.max,
    'aria-describedby': `${id}-hint ${id}-error`,
  }, (opts.options || []).map((o) => h('option', { value: o.value }, o.label)));
  if (opts.value !== undefined && opts.value !== null) input.value = opts.value;
  input.addEventListener('change', () => clearFieldError(input.parentElement));
  // an edited field's old error no longer applies
  input.addEventListener('input', () => clearFieldError(input.parentElement));
  return h('div', { class: 'field', 'data-field': opts.name },
    h('label', { for: id }, opts.label),
    input,
    h('p', { class: 'hint', id: `${id}-hint` }, opts.hint || ''),
    h('p', { class: 'error', id: `${id}-error`, 'aria-live': 'polite' }));
}

/** Shows message at the field named name (or at the form's general error line) and focuses the field. */
export function showError(form, name, message) {
  const wrapper = name && form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (wrapper) {
    wrapper.classList.add('invalid');
    wrapper.querySelector('.error').textContent = message;
    const input = wrapper.querySelector('input, select, textarea');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  } else {
    const general = form.querySelector('.form-error');
    general.textContent = message;
    general.focus();
  }
}

function clearFieldError(wrapper) {
  wrapper.classList.remove('invalid');
  wrapper.querySelector('.error').textContent = '';
  wrapper.querySelector('input, select, textarea').removeAttribute('aria-invalid');
}

export function clearErrors(form) {
  form.querySelectorAll('.field.invalid').forEach(clearFieldError);
  const general = form.querySelector('.form-error');
  if (general) general.textContent = '';
}

/** The general error line every form ends with (for errors without a field). */
export function formError() {
  return h('p', { class: 'form-error', role: 'alert', tabindex: '-1' });
}

/**
 * A confirmation step inside the page (no modal dialog): the question, then the button that really does it
 * and one that cancels; focus moves to the question so a keyboard or screen-reader user hears it.
 */
export function confirmBox(question, actionLabel, onConfirm, onCancel, extra = null) {
  const box = h('div', { class: 'confirm', role: 'group', tabindex: '-1' }, h('p', {}, question), extra,
    h('div', { class: 'inline-buttons' },
      h('button', { type: 'button', class: 'danger', 'data-confirm': 'yes', onclick: onConfirm }, actionLabel),
      h('button', { type: 'button', class: 'secondary', onclick: onCancel }, t('common.cancel'))));
  setTimeout(() => box.focus(), 0);
  return box;
}

/** A line for what the server answered to an action: ok (green), an error (red, announced), or null: still working. */
export function resultLine(node, ok, text) {
  node.className = `test-result ${ok === null ? 'busy' : ok ? 'ok' : 'error'}`;
  node.setAttribute('role', ok === false ? 'alert' : 'status');
  node.textContent = text;
}

/** A status line for features whose server side is not there yet: said plainly, never as success. */
export function notAvailable(what, short = false) {
  return h('div', { class: 'notice unavailable', role: 'status' },
    h('strong', {}, t('common.notAvailable')), ' ', t(short ? 'common.notAvailableShort' : 'common.notAvailableWhy', { what }));
}

/** Copies text to the clipboard, with a visible confirmation on the button (caption: its text, "Copy" by default). */
export async function copyButton(text, label, caption = t('common.copy')) {
  const button = h('button', { type: 'button', class: 'small', 'aria-label': label }, caption);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = t('common.copied');
    } catch {
      button.textContent = t('common.copyFailed');
    }
    setTimeout(() => { button.textContent = caption; }, 2000);
  });
  return button;
}

/** A QR code as an <img> (data URL) with a text alternative. Uses the vendored qrcode-generator (MIT). */
export function qrImage(text, alt) {
  const qr = window.qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  return h('img', { class: 'qr', src: qr.createDataURL(6, 4), alt, width: qr.getModuleCount() * 6 + 48 });
}

/**
 * A row of buttons that each open their own panel below an item (one at a time; pressing the open one closes it):
 * actions is [[key, build]], labels are t(`${prefix}.${key}`). Focus moves into the opened panel.
 */
export function panelActions(item, panel, prefix, actions) {
  return h('div', { class: 'inline-buttons' }, actions.map(([key, build]) => h('button', { type: 'button', class: 'small', 'data-action': key, 'aria-expanded': 'false',
    onclick: (e) => {
      const open = e.currentTarget.getAttribute('aria-expanded') === 'true';
      item.querySelectorAll('[aria-expanded]').forEach((b) => b.setAttribute('aria-expanded', 'false'));
      if (open) { panel.replaceChildren(); return; }
      e.currentTarget.setAttribute('aria-expanded', 'true');
      panel.replaceChildren(build());
      panel.querySelector('select, input, button, a')?.focus();
    } }, t(`${prefix}.${key}`))));
}

/**
 * A "test" button's call: POST path with body; the server's {ok, ...} answer in line (describe(answer) words it),
 * a bad field at the field, and "not available" when the appliance has no such call.
 */
export async function runServerTest(form, line, { path, body, busy, what, describe }) {
  clearErrors(form);
  resultLine(line, null, busy);
  const result = await api('POST', path, body);
  if (isUnavailable(result)) { line.className = 'test-result'; line.replaceChildren(notAvailable(what)); return; }
  if (!result.ok) { line.textContent = ''; showError(form, result.data && result.data.field, apiMessage(result)); return; }
  resultLine(line, Boolean(result.data && result.data.ok), describe(result.data || {}));
}
