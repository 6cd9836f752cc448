// Passphrase strength: the bundled common-password list (the same file the server checks) and a rough
// entropy estimate that rewards length and unrelated words. Also generates passphrases from words.txt.
let common = null;
let words = null;

async function loadList(path) {
  const text = await (await fetch(path)).text();
  return text.split('\n').filter((line) => line && !line.startsWith('#'));
}

export async function loadLists() {
  if (!common) common = new Set((await loadList('common-passwords.txt')).map((w) => w.trim().toLowerCase()));
  if (!words) words = [...new Set((await loadList('words.txt')).flatMap((line) => line.trim().split(/\s+/)))];
}

/** Mirrors org.mailkeep.setup.CommonPasswords.isCommon. */
export function isCommon(password) {
  const lower = password.toLowerCase();
  const core = lower.replace(/^[\p{P}\p{S}\p{N}\s]+|[\p{P}\p{S}\p{N}\s]+$/gu, '');
  if (common.has(lower) || common.has(core) || core === '' || new Set(core).size <= 2) return true;
  for (let len = 1; len <= core.length / 2; len++) {
    if (core.length % len === 0 && core.slice(0, len).repeat(core.length / len) === core
      && (len < 4 || common.has(core.slice(0, len)))) return true;
  }
  return false;
}

/**
 * Score 0..4 with a reason key. Bits: length × log2(alphabet), discounted for runs, sequences and repeats;
 * below 12 characters or on the common list is 0 whatever the bits.
 */
export function strength(password, minLength = 12) {
  if (!password) return { score: 0, key: 'strength.empty', bits: 0 };
  if (password.length < minLength) return { score: 0, key: 'strength.short', bits: 0 };
  if (isCommon(password)) return { score: 0, key: 'strength.common', bits: 0 };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(password)) pool += 33;
  let effective = 0;
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    const prev = password.charCodeAt(i - 1);
    // a repeated character or a step of a sequence (abc, 123) adds little
    effective += i > 0 && (c === prev || Math.abs(c - prev) === 1) ? 0.25 : 1;
  }
  const bits = Math.round(effective * Math.log2(pool || 1));
  const score = bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  return { score, key: `strength.${score}`, bits };
}

/** A passphrase of n random words, e.g. "otter-lantern-brave-quilt-harbor-sing" (about 8.7 bits a word). */
export function suggestPassphrase(n = 6) {
  const picks = new Uint32Array(n);
  crypto.getRandomValues(picks);
  return [...picks].map((r) => words[r % words.length]).join('-');
}
