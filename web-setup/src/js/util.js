import { t, currentLanguage } from './i18n.js';

/** A domain in its ASCII (A-label, RFC 5890) form as the browser's URL parser computes it (UTS #46), or '' if invalid. */
export function asciiDomain(value) {
  const v = (value || '').trim().replace(/\.$/, '');
  if (!v || /[\s/@:?#]/.test(v)) return '';
  try {
    return new URL(`http://${v}/`).hostname;
  } catch {
    return '';
  }
}

/**
 * The message to show for a refused call: a localized one for the statuses the page knows (keys by status),
 * a wait for 429, a plain network error, else the server's own message.
 */
export function apiMessage(result, keysByStatus = {}) {
  if (result.status === 0) return t('common.networkError');
  if (result.status === 429) return t('common.tooMany', { seconds: result.retryAfter || '60' });
  if (keysByStatus[result.status]) return t(keysByStatus[result.status]);
  return (result.data && result.data.error) || t('common.failed', { status: result.status });
}

export function formatBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

/** A moment the API gives as epoch milliseconds or an ISO-8601 string, in the page's language ('' when absent); compact for tables. */
export function formatTime(value, compact = false) {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(typeof value === 'number' ? value : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(currentLanguage(), { dateStyle: compact ? 'short' : 'medium', timeStyle: compact ? 'medium' : 'short' });
}

/** The translated text for key, or fallback when the language file has none (e.g. a health check the page does not know). */
export function label(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}
