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

/** A feature whose API answers 404 or 501 is not built into this appliance yet. */
export function isUnavailable(result) {
  return result.status === 404 || result.status === 501;
}

let onSessionLost = null;
/** Called when a call answers 401: the admin session ended (idle timeout, restart). */
export function whenSessionLost(handler) { onSessionLost = handler; }
