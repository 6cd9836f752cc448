// The one place that talks to the appliance's JSON API (docs/interface.md).
let csrf = null;

export function setCsrf(token) { csrf = token; }

/** fetch as JSON; resolves {status, ok, data} and never throws for an HTTP error (the caller shows it at its field). */
export async function api(method, path, body) {
  const headers = { 'X-Requested-With': 'mailkeep', Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf) headers['X-CSRF-Token'] = csrf;
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { status: 0, ok: false, data: { error: null, network: true } };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: null }; }
  if (response.status === 401 && path !== '/api/admin/login' && typeof onSessionLost === 'function') onSessionLost(data);
  return { status: response.status, ok: response.ok, data, retryAfter: response.headers.get('Retry-After') };
}

/**
 * A feature whose API answers 404, 405 (no such call on that path) or 501 without an error of its own is not
 * built into this appliance yet (a 404 with an {"error"} is the call's own answer, e.g. an unknown entry).
 */
export function isUnavailable(result) {
  return [404, 405, 501].includes(result.status) && !(result.data && result.data.error);
}

let onSessionLost = null;
/** Called when a call answers 401: the admin session ended (idle timeout, restart). */
export function whenSessionLost(handler) { onSessionLost = handler; }
