// First boot end to end in Debian's headless Chromium against the packaged appliance with a fresh data directory:
// refusals shown at their fields, the whole wizard, the admin UI (rename keeps mail, aliases, 2FA login) and,
// once the appliance has its SMTP and IMAP servers, a mail sent through submission and fetched through IMAP.
// Screenshots of every step go to test-artifacts/wizard/.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { startAppliance, listening, freePort } from '../lib/appliance.mjs';
import { launch, shot } from '../lib/browser.mjs';
import { totp } from '../lib/totp.mjs';

const PEERS = process.env.PEERS || '/tmp/mailkeep-peers'; // test-support/peers.sh
const DOMAIN_IDN = 'bücher.test';
const BACKUP_PASSPHRASE = 'tortellini-under-the-old-bridge';
const DOMAIN = 'xn--bcher-kva.test';
const MAILBOX = `anna@${DOMAIN}`;
const RENAMED = `anna.rossi@${DOMAIN}`;
let appliance;
let browser;
let page;
let adminPassphrase;
let adminPassphraseOfTheBackup; // the restored box signs in with the passphrase it had when backed up
let mailboxPassword;
let broken = null;
const pageErrors = []; // uncaught errors in the page's scripts

/** The steps build on each other: after a failure the later ones are skipped instead of each timing out. */
function test(name, fn) {
  nodeTest(name, async (t) => {
    if (broken) { t.skip(`an earlier step failed: ${broken}`); return; }
    try {
      await fn(t);
    } catch (e) {
      broken = name;
      throw e;
    }
  });
}

let newestBackup; // made on the admin page, restored into a second box at the end
let restoreBox; // a second, fresh box that is restored from the first one's USB stick at the end

// The box's "public IP" as an echo service tells it (mailkeep.netcheck.ipv4-echo): a documentation address.
const PUBLIC_IP = '192.0.2.10';
let echo;

before(async () => {
  echo = http.createServer((request, response) => response.end(`${PUBLIC_IP}\n`));
  await new Promise((ok) => echo.listen(0, '127.0.0.1', ok));
  appliance = await startAppliance({ env: { MAILKEEP_NETCHECK_IPV4_ECHO: `http://127.0.0.1:${echo.address().port}/` } });
  // starts while the first box is set up; its "USB stick" is the first box's
  restoreBox = startAppliance({ backupTarget: appliance.backupTarget });
  restoreBox.catch(() => {}); // awaited (and its failure reported) by the restore test
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await (await restoreBox?.catch(() => null))?.stop();
  await appliance?.stop();
  echo?.close();
});

const next = () => page.click('.step .buttons button.primary');
const stepIs = (name) => page.waitForSelector(`section.step[data-step="${name}"]`);
/** Collects every text the element at selector shows from now on (progress lines change faster than a test looks). */
const recordTexts = (selector, on = page) => on.evaluate((sel) => {
  window.recordedTexts = [];
  const el = document.querySelector(sel);
  new MutationObserver(() => window.recordedTexts.push(el.textContent)).observe(el, { childList: true, subtree: true, characterData: true });
}, selector);
const recordedTexts = (on = page) => on.evaluate(() => window.recordedTexts);
const errorAt = async (field, on = page) => (await on.waitForSelector(`#f-${field}-error:not(:empty)`)).textContent();

/** The status of a GET to the appliance's API from outside the browser, as the admin (HTTP Basic). */
async function apiStatus(path) {
  const r = await fetch(appliance.base + path, { headers: { Authorization: `Basic ${Buffer.from(`admin:${adminPassphrase}`).toString('base64')}` } });
  return r.status;
}

test('a phone claims the box by its button (the mock platform\'s, pressed by the test); a wrong setup token is refused at its field', async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  phone.setDefaultTimeout(60_000);
  await phone.goto(appliance.base);
  await phone.waitForSelector('#f-token');
  await shot(phone, '00-phone-claim');
  // physical presence: the box waits for its button and the page counts down
  await phone.click('#claim-button');
  const waiting = await (await phone.waitForSelector('.button-claim :is(.progress-message:not(:empty), .unavailable)')).textContent();
  assert.match(waiting, /Press the button on the box now \((60|59|58|57|56|55) s left\)/);
  await shot(phone, '00-phone-claim-button');
  // a short press of the box's button (200 ms through the mock's debounce and press rules: MockButton)
  writeFileSync(join(appliance.dataDir, 'mock-button'), '200');
  await phone.waitForSelector('section.step[data-step="passphrase"]');
  assert.equal((await (await fetch(`${appliance.base}/api/setup/claim`)).json()).state, 'claimed');
  await shot(phone, '00-phone-claimed-by-button');
  await phone.close();

  await page.goto(appliance.base);
  await stepIs('claim');
  await shot(page, '01-claim');
  await page.fill('#f-token', 'aaaaa-bbbbb-ccccc-ddddd');
  await page.click('button[type=submit]');
  assert.match(await errorAt('token'), /not the setup token/);
  assert.equal(await page.getAttribute('#f-token', 'aria-invalid'), 'true');
  await shot(page, '02-claim-wrong-token');

  await page.fill('#f-token', appliance.token());
  await page.click('button[type=submit]');
  await stepIs('passphrase');
});

test('a short or common admin passphrase is refused at its field; a suggested one is strong', async () => {
  await page.fill('#f-adminPassword', 'short');
  await page.click('button[type=submit]');
  assert.match(await errorAt('adminPassword'), /at least 12 characters/);
  await page.fill('#f-adminPassword', 'password123456');
  await page.fill('#f-adminPassword2', 'password123456');
  await page.click('button[type=submit]');
  assert.match(await errorAt('adminPassword'), /passwords attackers try first/);
  await shot(page, '03-passphrase-common');

  await page.click('#suggest');
  adminPassphrase = await page.inputValue('#f-adminPassword');
  assert.match(adminPassphrase, /^[a-z]+(-[a-z]+){5}$/);
  assert.equal(await page.inputValue('#f-adminPassword2'), adminPassphrase);
  assert.ok(Number(await page.getAttribute('#strength-meter', 'value')) >= 3, 'a six-word passphrase is good or strong');
  await shot(page, '04-passphrase-suggested');
  await page.click('button[type=submit]');
  await stepIs('domain');
});

test('a bad domain is refused by the server at its field; an IDN domain completes setup', async () => {
  await page.fill('#f-domain', 'not a domain');
  await page.fill('#f-hostname', 'mail.example.test');
  await page.click('button[type=submit]');
  assert.match(await errorAt('domain'), /domain name such as example.com/);
  await shot(page, '05-domain-refused');

  await page.fill('#f-domain', '');
  await page.fill('#f-hostname', '');
  await page.type('#f-domain', DOMAIN_IDN);
  assert.equal(await page.inputValue('#f-hostname'), `mail.${DOMAIN_IDN}`);
  assert.match(await page.textContent('#f-domain-hint'), new RegExp(DOMAIN.replace(/\./g, '\\.')));
  await shot(page, '06-domain-idn');
  await page.click('button[type=submit]');
  await stepIs('network');
  const status = await (await fetch(`${appliance.base}/api/status`)).json();
  assert.equal(status.setupComplete, true);
});

/** Whether the appliance has a feature: its API call answers (not 404/501), or for the network check, /api/status has its checks. */
async function hasFeature(probe) {
  if (probe === 'network') {
    const status = await (await fetch(`${appliance.base}/api/status`)).json();
    return status.health.checks.some((c) => c.name === 'port25');
  }
  const code = await apiStatus(probe);
  return code !== 404 && code !== 501;
}

/** A step whose feature is not there must say so; where it is there, the step must not claim it is missing. */
async function featureStep(name, probe, screenshot) {
  await stepIs(name);
  await page.waitForSelector(`section.step[data-step="${name}"] :is(.unavailable, form, table, .notice, ul.checks, dl.facts)`);
  const present = await hasFeature(probe);
  const unavailable = await page.$(`section.step[data-step="${name}"] .unavailable:not(.relay *)`);
  if (!present) {
    assert.ok(unavailable, `${name}: the appliance lacks ${probe}, so the step must say "not available yet"`);
    assert.match(await unavailable.textContent(), /Not available yet/);
  } else {
    assert.equal(unavailable, null, `${name}: the appliance has ${probe}, the step must not claim it is missing`);
  }
  await shot(page, screenshot);
  await next();
}

test('network, dynamic DNS, DNS records and certificate steps say plainly when their feature is not there yet', async () => {
  await featureStep('network', 'network', '07-network');
  await featureStep('ddns', '/api/ddns/settings', '08-ddns');
  await featureStep('dns', '/api/dns/records', '09-dns-records');
  await featureStep('certificate', '/api/tls/certificate', '10-certificate');
  await stepIs('mailboxes');
});

test('the first mailbox is created with a generated passphrase and shows its client setup and QR code', async () => {
  await page.fill('#f-address', 'anna');
  await page.fill('#f-displayName', 'Anna Rossi');
  await page.click('#generate-password');
  mailboxPassword = await page.inputValue('#f-password');
  assert.match(mailboxPassword, /^[a-z]+(-[a-z]+){4}$/);
  await page.click('form.create-mailbox button[type=submit]');
  await page.waitForSelector(`li.mailbox[data-address="${MAILBOX}"]`);
  assert.match(await page.textContent('.created-notice'), new RegExp(mailboxPassword));

  await page.fill('#f-address', 'anna');
  await page.fill('#f-password', 'another-long-password');
  await page.click('form.create-mailbox button[type=submit]');
  assert.match(await errorAt('address'), /already exists/);

  await page.click(`li.mailbox[data-address="${MAILBOX}"] [data-action=clients]`);
  const qr = await page.waitForSelector('.client-setup img.qr');
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 100), 'the QR code is drawn');
  await shot(page, '11-mailbox-client-setup');
  const config = await (await fetch(`${appliance.base}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${MAILBOX}`)).text();
  assert.match(config, new RegExp(`<hostname>mail.${DOMAIN}</hostname>`));
  assert.match(config, new RegExp(`<port>${appliance.ports.imaps}</port>`));
  const profile = await fetch(`${appliance.base}/apple/mailkeep.mobileconfig?email=${MAILBOX}`);
  assert.equal(profile.headers.get('content-type'), 'application/x-apple-aspen-config');
  await next();
});

test('the wizard runs the first backup with the server\'s progress; the summary lists what works and what the lights mean', async () => {
  await stepIs('backup');
  await page.fill('#f-passphrase', 'too-short');
  await page.click('section.step form button[type=submit]');
  assert.match(await errorAt('passphrase'), /at least/);
  await page.fill('#f-passphrase', BACKUP_PASSPHRASE);
  await recordTexts('section.step .progress-message');
  await page.click('section.step form button[type=submit]');
  await page.waitForSelector('section.step .test-result.ok:has-text("Backup finished")', { timeout: 120_000 });
  assert.ok((await recordedTexts()).some((text) => /Backing up \(/.test(text)), 'the server\'s progress was shown while the backup ran');
  await shot(page, '12-backup');
  await next();
  await stepIs('summary');
  assert.match(await page.textContent('[data-result=domain]'), /works/);
  assert.match(await page.textContent('[data-result=mailboxes]'), /works/);
  assert.match(await page.textContent('[data-result=backup]'), /works/);
  await shot(page, '13-summary');
  await next();
  await page.waitForSelector('.health');
  await shot(page, '14-admin-dashboard');
});

/** Sends a small mail to address through the MX listener with swaks; false when the appliance has no SMTP server yet. */
async function deliverOverSmtp(to, subject) {
  if (!(await listening(appliance.ports.smtp))) return false;
  execFileSync('swaks', ['--server', '127.0.0.1', '--port', String(appliance.ports.smtp), '--from', 'e2e@sender.test', '--to', to,
    '--header', `Subject: ${subject}`, '--body', 'sent by the web e2e test', '--timeout', '30'], { stdio: 'pipe' });
  return true;
}

let deliveredBeforeRename = false;

test('the admin renames a mailbox and it keeps its mail', async (t) => {
  const delivered = await deliverOverSmtp(MAILBOX, 'before rename');
  deliveredBeforeRename = delivered;
  await page.click('a[data-section=mailboxes]');
  const row = await page.waitForSelector(`li.mailbox[data-address="${MAILBOX}"]`);
  const usedBefore = await row.$eval('.usage', (el) => el.textContent);
  await page.click(`li.mailbox[data-address="${MAILBOX}"] [data-action=rename]`);
  await page.fill(`li.mailbox[data-address="${MAILBOX}"] #f-address`, RENAMED);
  await shot(page, '15-admin-rename');
  await page.click(`li.mailbox[data-address="${MAILBOX}"] .mailbox-panel button[type=submit]`);
  const renamed = await page.waitForSelector(`li.mailbox[data-address="${RENAMED}"]`);
  assert.equal(await page.$(`li.mailbox[data-address="${MAILBOX}"]`), null);
  assert.equal(await renamed.$eval('.usage', (el) => el.textContent), usedBefore, 'the mailbox keeps its size');
  await shot(page, '16-admin-renamed');
  if (!delivered) {
    t.diagnostic('the appliance has no SMTP server yet: the rename was checked without mail in the mailbox');
    return;
  }
  assert.notEqual(usedBefore.trim(), '· 0 B', 'the delivered mail counts in the mailbox');
});

test('aliases are added and refused at the field when the target does not exist', async () => {
  await page.click('a[data-section=aliases]');
  await page.fill('#f-alias', `info@${DOMAIN}`);
  await page.fill('#f-target', `nobody@${DOMAIN}`);
  await page.click('button[type=submit]');
  assert.match(await errorAt('target'), /not a local mailbox/);
  await page.fill('#f-target', RENAMED);
  await page.click('button[type=submit]');
  await page.waitForSelector(`ul.aliases :text("info@${DOMAIN}")`);
  await shot(page, '17-admin-aliases');
});

/** JSON from the appliance's API as the admin (HTTP Basic, before 2FA is turned on). */
async function apiJson(path, init = {}) {
  const r = await fetch(appliance.base + path, { ...init, headers: { Authorization: `Basic ${Buffer.from(`admin:${adminPassphrase}`).toString('base64')}`,
    'Content-Type': 'application/json', ...(init.headers || {}) } });
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

const section = async (name) => {
  await page.click(`a[data-section=${name}]`);
  await page.waitForSelector(`a[data-section=${name}][aria-current]`);
};

test('allow and block lists: entries are added, refused at the field, removed after confirmation, and audited', async () => {
  await section('lists');
  await page.waitForSelector('form.list-add');
  await page.selectOption('#f-type', 'ip');
  await page.fill('#f-value', '999.1.1.1');
  await page.click('form.list-add button[type=submit]');
  assert.match(await errorAt('value'), /./);
  await shot(page, '30-lists-refused');

  await page.selectOption('#f-type', 'domain');
  await page.fill('#f-value', 'spam.example');
  await page.fill('#f-note', 'newsletters nobody asked for');
  await page.click('form.list-add button[type=submit]');
  await page.waitForSelector('tr[data-entry="spam.example"]');
  await page.selectOption('#f-action', 'allow');
  await page.selectOption('#f-type', 'address');
  await page.fill('#f-value', 'friend@partner.example');
  await page.selectOption('#f-mailbox', RENAMED);
  await page.click('form.list-add button[type=submit]');
  await page.waitForSelector('tr[data-entry="friend@partner.example"]');
  assert.match(await page.textContent('tr[data-entry="friend@partner.example"]'), new RegExp(RENAMED.replace(/\./g, '\\.')));
  // the same again is refused at the field
  await page.fill('#f-value', 'friend@partner.example');
  await page.click('form.list-add button[type=submit]');
  assert.match(await errorAt('value'), /already/);
  const entries = await apiJson('/api/lists?all=true');
  assert.deepEqual(entries.map((e) => [e.action, e.type, e.value, e.mailbox ?? null]).sort(),
    [['allow', 'address', 'friend@partner.example', RENAMED], ['block', 'domain', 'spam.example', null]]);
  await shot(page, '31-lists');

  // by keyboard alone: the confirmation takes the focus, Tab reaches its button
  await page.focus('tr[data-entry="spam.example"] button.danger');
  await page.keyboard.press('Enter');
  await page.waitForSelector('tr[data-entry="spam.example"] .confirm:focus');
  await shot(page, '32-lists-confirm-remove');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.confirm), 'yes');
  await page.keyboard.press('Enter');
  await page.waitForSelector('tr[data-entry="spam.example"]', { state: 'detached' });
  assert.equal((await apiJson('/api/lists?all=true')).length, 1);
  await page.waitForSelector('ol.audit li:has-text("removed spam.example")');
  assert.equal(await page.locator('ol.audit li').count(), 3, 'two additions and one removal are in the audit trail');
});

test('relay: the test button really signs in to a relay (Postfix), saved with its password kept secret; queued mail is retried and removed', async () => {
  await section('relay');
  await page.waitForSelector('form.relay-form');
  // the test button is a real feature: "not available" fails the test
  const relayTest = async () => {
    await page.click('#relay-test');
    await page.waitForSelector('form.relay-form :is(.test-result.ok, .test-result.error, .unavailable)');
    assert.equal(await page.$('form.relay-form .unavailable'), null, 'the relay test must not say "not available"');
    return page.textContent('form.relay-form .test-result');
  };
  // the test peers' Postfix submission (STARTTLS, AUTH, a private CA): test-support/peers.sh
  await page.fill('#f-host', 'localhost');
  await page.fill('#f-port', '2587');
  await page.fill('#f-username', 'alice@example.test');
  await page.fill('#f-password', 'wrong-password');
  await page.click('details.more summary');
  await page.fill('#f-caPem', readFileSync(join(PEERS, 'tls.crt'), 'utf8'));
  assert.match(await relayTest(), /failed at sign-in/, 'a wrong password fails at AUTH');
  await page.fill('#f-password', 'secret');
  assert.match(await relayTest(), /accepted the connection and the sign-in/);
  await shot(page, '33-relay-test-ok');
  assert.equal((await apiJson('/api/relay')).host, null, 'a test saves nothing');

  // saved: a relay that refuses connections, so that mail waits in the queue with the reason
  const closedPort = await freePort();
  await page.selectOption('#f-mode', 'relay');
  await page.fill('#f-host', '127.0.0.1');
  await page.fill('#f-port', '99999');
  await page.fill('#f-caPem', '');
  await page.click('form.relay-form button[type=submit]');
  assert.match(await errorAt('port'), /1 to 65535/);
  await page.fill('#f-port', String(closedPort));
  await page.click('form.relay-form button[type=submit]');
  await page.waitForSelector('form.relay-form .test-result.ok');
  const relay = await apiJson('/api/relay');
  assert.equal(relay.mode, 'relay');
  assert.equal(relay.port, closedPort);
  assert.equal(relay.passwordSet, true);
  assert.equal(await page.inputValue('#f-password'), '', 'the password is never shown again');
  assert.match(await page.textContent('#f-password-hint'), /stored/);
  assert.match(await relayTest(), /failed at connecting/, 'a relay that refuses connections fails the test');
  await shot(page, '33-relay');

  // two messages for another domain wait in the queue
  for (const n of [1, 2]) {
    execFileSync('swaks', ['--server', '127.0.0.1', '--port', String(appliance.ports.submission), '--tls', '--auth', 'PLAIN',
      '--auth-user', RENAMED, '--auth-password', mailboxPassword, '--from', RENAMED, '--to', `bob${n}@example.net`,
      '--header', `Subject: queued ${n}`, '--body', 'waits for the relay', '--timeout', '30'], { stdio: 'pipe' });
  }
  let queue = [];
  for (let i = 0; i < 60 && !(queue.length === 2 && queue.every((e) => e.recipients[0].attempts > 0)); i++) {
    await new Promise((r) => setTimeout(r, 500));
    queue = await apiJson('/api/queue');
  }
  assert.equal(queue.length, 2);
  await section('queue');
  const first = queue[0];
  const row = `article.queue-entry[data-entry="${first.id}"]`;
  await page.waitForSelector(row);
  assert.match(await page.textContent(row), /bob1@example\.net/);
  assert.match(await page.textContent(row), /waiting/);
  assert.match(await page.textContent(`${row} td[data-label="Last answer"]`), /\S{3}/, 'the reason of the last failed attempt is shown');
  await shot(page, '34-queue');
  await page.click(`${row} [data-action=retry]`);
  await page.waitForSelector('.test-result.ok:has-text("being delivered again")');
  await page.click(`${row} [data-action=delete]`);
  await page.check(`${row} input[value=drop]`);
  await shot(page, '35-queue-remove-confirm');
  await page.click(`${row} [data-confirm=yes]`);
  await page.waitForSelector('.test-result.ok:has-text("removed silently")');
  await page.waitForSelector(row, { state: 'detached' });
  const second = `article.queue-entry[data-entry="${queue[1].id}"]`;
  await page.click(`${second} [data-action=delete]`);
  await page.click(`${second} [data-confirm=yes]`); // the default: tell the sender
  await page.waitForSelector('.test-result.ok:has-text("the sender was told")');
  // the sender's notice (a DSN) is delivered to the local mailbox
  assert.match(await fetchOverImap(RENAMED, mailboxPassword, 'Undelivered'), /bob2@example\.net/);

  await section('relay');
  await page.click('#relay-remove');
  await page.click('form.relay-form [data-confirm=yes]');
  await page.waitForSelector('form.relay-form .test-result.ok:has-text("removed")');
  assert.equal((await apiJson('/api/relay')).passwordSet, false);
});

test('backup page: back up now with the server\'s progress, verify, restore one mailbox, export it as mbox', async () => {
  await section('backup');
  await page.waitForSelector('#backup-now');
  assert.match(await page.textContent('.sticks'), /SanDisk Ultra Fit — BACKUP, 29\.2 GB, vfat usable/, 'the stick that sysfs and udev report');
  await recordTexts('.admin-content > .progress-message');
  await page.click('#backup-now');
  await page.waitForSelector('.admin-content > .test-result.ok:has-text("Backup finished")', { timeout: 120_000 });
  const seen = await recordedTexts();
  // a small box's backup may finish between two polls (files are encrypted with a derived key, no S2K per file): any
  // phase the server reported counts as its progress, as long as the page showed one before the result
  assert.ok(seen.some((text) => /Backing up \((starting|writing|checking)/.test(text)), `progress from the server was shown: ${seen.join(' | ')}`);
  const runs = await apiJson('/api/backups');
  assert.equal(runs.length, 2);
  assert.ok(runs.every((r) => r.state === 'ok'));
  const newest = runs[0].id;
  newestBackup = newest;
  adminPassphraseOfTheBackup = adminPassphrase;
  const item = `li.run[data-backup="${newest}"]`;
  await page.waitForSelector(item);
  const onStick = (await apiJson('/api/restore')).map((b) => b.id);
  if (!onStick.includes(runs[1].id)) {
    assert.match(await page.textContent(`li.run[data-backup="${runs[1].id}"]`), /No longer on the stick/, 'retention removed the older one');
  }
  await shot(page, '36-backup');

  await page.click(`${item} [data-action=verify]`);
  await page.waitForSelector(`${item} .test-result.ok:has-text("files checked")`, { timeout: 60_000 });

  await page.click(`${item} [data-action=restoreMailbox]`);
  await page.selectOption(`${item} select[name=address]`, RENAMED);
  await page.click(`${item} form.restore-mailbox button[type=submit]`);
  const restored = await (await page.waitForSelector(`${item} .test-result.ok:has-text("restored into")`, { timeout: 60_000 })).textContent();
  assert.match(restored, new RegExp(`Restored ${newest}`));
  await shot(page, '37-backup-restore-mailbox');

  const href = await page.getAttribute('#mbox-export', 'href');
  assert.equal(href, `/api/mailboxes/${encodeURIComponent(RENAMED)}/mbox`);
  const mbox = await page.evaluate(async (url) => (await fetch(url)).text(), href);
  assert.match(mbox, /^From /, 'an mbox file');
  assert.match(mbox, /X-Folder: Restored /);
});

/** As the page writes sizes (util.js formatBytes). */
function formatBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

test('dashboard: the real queue, disk, certificate, last backup and recent mail, and a live mirror of the lights', async () => {
  await section('dashboard');
  await page.waitForSelector('.panel[data-panel=mail] table, .panel[data-panel=mail] .empty');
  const status = await (await fetch(`${appliance.base}/api/status`)).json();
  for (const [led, pattern] of Object.entries(status.leds.pattern)) {
    assert.equal(await page.getAttribute(`li.lamp[data-led=${led}]`, 'data-pattern'), pattern);
  }
  for (const check of status.health.checks) {
    assert.match(await page.textContent(`li.check[data-check="${check.name}"]`), new RegExp(check.level === 'ok' ? 'OK' : check.level === 'warning' ? 'Warning' : 'Fault'));
  }
  const d = await apiJson('/api/dashboard');
  assert.equal(await page.textContent('[data-fact=queue-pending]'), String(d.queue.pending));
  assert.equal(await page.textContent('[data-fact=disk-used]'), formatBytes(d.disk.usedBytes));
  assert.notEqual(d.disk.usedBytes, 0);
  assert.match(await page.textContent('[data-fact=disk-free]'), new RegExp(`${formatBytes(d.disk.fsTotalBytes)}$`));
  assert.match(await page.textContent('[data-fact=certificate-expires]'), new RegExp(`\\(${d.certificate.daysLeft} days left\\)`));
  assert.match(await page.textContent('[data-fact=certificate-kind]'), /self-signed/);
  const lastBackup = await page.evaluate((at) => new Date(at).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' }), d.lastSuccessfulBackupAt);
  assert.equal(await page.textContent('[data-fact=last-backup]'), lastBackup);
  assert.ok(d.recentMail.length > 0, 'mail went through the box');
  assert.equal(await page.locator('.panel[data-panel=mail] tbody tr').count(), d.recentMail.length);
  const newest = d.recentMail[0];
  assert.match(await page.textContent('.panel[data-panel=mail] tbody tr:first-child'), new RegExp((newest.to || newest.from).replace(/[.+]/g, '\\$&')));
  await shot(page, '38-dashboard-panels');

  await page.click('.panel[data-panel=mail] a');
  await page.waitForSelector('table.mail-log tbody tr');
  await page.selectOption('#f-direction', 'in');
  await page.waitForFunction(() => [...document.querySelectorAll('table.mail-log tbody tr')].every((tr) => tr.dataset.direction === 'in'));
  const incoming = await apiJson('/api/mail-log?limit=200&direction=in');
  assert.equal(await page.locator('table.mail-log tbody tr').count(), incoming.length);
  assert.match(await page.textContent('table.mail-log tbody'), /before rename|accepted/);
  await shot(page, '39-mail-log');
});

test('a mailbox quota is set in MB and shown with the use', async () => {
  await section('mailboxes');
  const row = `li.mailbox[data-address="${RENAMED}"]`;
  await page.click(`${row} [data-action=quota]`);
  await page.fill(`${row} #f-quotaMb`, '-3');
  await page.click(`${row} .quota-form button[type=submit]`);
  assert.match(await errorAt('quotaMb'), /number of MB/);
  await page.fill(`${row} #f-quotaMb`, '250');
  await page.click(`${row} .quota-form button[type=submit]`);
  await page.waitForSelector(`${row} .quota`);
  assert.match(await page.textContent(`${row} .quota`), /of 250\.0 MB/);
  const box = (await apiJson('/api/mailboxes')).find((m) => m.address === RENAMED);
  assert.equal(box.quotaBytes, 250 * 1024 * 1024);
  await shot(page, '40-mailbox-quota');
});

test('the admin passphrase is changed on the security page: the current one is required, the new one follows the wizard rules', async () => {
  await section('security');
  await page.waitForSelector('#change-passphrase');
  const next = `${adminPassphrase}-again`;
  await page.fill('#f-current', 'not-the-passphrase');
  await page.fill('#f-passphrase', next);
  await page.click('#change-passphrase button[type=submit]');
  assert.match(await errorAt('current'), /not the current admin passphrase/);
  await page.fill('#f-current', adminPassphrase);
  await page.fill('#f-passphrase', 'password123456');
  await page.click('#change-passphrase button[type=submit]');
  assert.match(await errorAt('passphrase'), /passwords that attackers try first/);
  await page.fill('#f-passphrase', next);
  await page.click('#change-passphrase button[type=submit]');
  await page.waitForSelector('#change-passphrase .notice.ok');
  await shot(page, '40b-passphrase-changed');
  adminPassphrase = next;
  assert.equal(await apiStatus('/api/mailboxes'), 200); // scripts sign in with the new one
  assert.ok(await page.isChecked('#lan-only'), 'the admin page answers only the local network by default');
});

test('certificate, dynamic DNS and DKIM pages show the real state; a bad DDNS server is refused at its field, the DDNS test really updates BIND', async () => {
  await section('certificate');
  await page.waitForSelector('[data-fact=acme]');
  const certificate = await apiJson('/api/tls/certificate');
  assert.match(await page.textContent('[data-fact=acme]'), new RegExp(certificate.acme.state));
  if (certificate.acme.state === 'OFF') { // the local profile has no ACME directory: the server refuses, the page says why
    await page.click('#certificate-renew');
    assert.match(await (await page.waitForSelector('.test-result.error')).textContent(), /Automatic certificates are off/);
  }
  await shot(page, '41-certificate');

  await section('ddns');
  await page.waitForSelector('form.ddns-form');
  await page.selectOption('#f-method', 'rfc2136');
  await page.fill('#f-server', 'ns1.example:dns');
  await page.fill('#f-zone', DOMAIN);
  await page.fill('#f-keyName', 'mailkeep');
  await page.fill('#f-keySecret', Buffer.from('0123456789abcdef0123456789abcdef').toString('base64'));
  await page.click('form.ddns-form button[type=submit]');
  assert.match(await errorAt('server'), /./);
  await shot(page, '42-ddns-refused');
  // "test": one real RFC 2136 update with TSIG at the test peers' BIND (zone example.test, key ddns-key)
  const host = 'web-e2e.example.test'; // one name, replaced by each run
  await page.fill('#f-server', '127.0.0.1:5353');
  await page.fill('#f-zone', 'example.test');
  await page.fill('#f-keyName', 'ddns-key');
  await page.fill('#f-keySecret', readFileSync(join(PEERS, 'bind/ddns.key'), 'utf8').match(/secret "([^"]+)"/)[1]);
  await page.fill('#f-hostname', host);
  await page.click('#ddns-test');
  await page.waitForSelector('form.ddns-form :is(.test-result.ok, .test-result.error, .unavailable)');
  assert.equal(await page.$('form.ddns-form .unavailable'), null, 'the DDNS test must not say "not available"');
  assert.match(await page.textContent('form.ddns-form .test-result.ok'), new RegExp(`${host.replace(/\./g, '\\.')} now points at ${PUBLIC_IP.replace(/\./g, '\\.')}`));
  assert.equal(execFileSync('dig', ['+short', '-p', '5353', '@127.0.0.1', host, 'A'], { encoding: 'utf8' }).trim(), PUBLIC_IP, 'BIND has the record');
  assert.equal((await apiJson('/api/ddns')).state, 'OFF', 'a test saves nothing');
  await shot(page, '42-ddns-test-ok');

  await section('dns');
  await page.waitForSelector('.dkim tbody tr');
  const before = await apiJson(`/api/dkim/${DOMAIN}`);
  await page.click('#dkim-rotate');
  await page.waitForSelector('.dkim tr[data-role=next]');
  await page.click('#dkim-activate');
  await page.click('.dkim [data-confirm=yes]');
  await page.waitForSelector('.dkim .test-result.ok:has-text("signs outgoing mail now")');
  const after = await apiJson(`/api/dkim/${DOMAIN}`);
  const active = (keys) => keys.filter((k) => k.role === 'active').map((k) => k.selector).sort().join();
  assert.notEqual(active(after), active(before), 'another key signs now');
  assert.ok(after.some((k) => k.role === 'previous'), 'the old key stays published');
  await shot(page, '43-dkim');
});

test('the admin session cookie is HttpOnly and SameSite=Strict, and changes need the CSRF token', async () => {
  const login = await fetch(`${appliance.base}/api/admin/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ password: adminPassphrase }),
  });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie');
  assert.match(cookie, /^mailkeep_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/, 'no Secure flag over plain HTTP');
  const { csrf } = await login.json();
  const session = cookie.split(';')[0];
  const body = JSON.stringify({ alias: `sales@${DOMAIN}`, target: RENAMED });
  const withoutToken = await fetch(`${appliance.base}/api/aliases`, { method: 'POST', headers: { Cookie: session, 'Content-Type': 'application/json' }, body });
  assert.equal(withoutToken.status, 403);
  const withToken = await fetch(`${appliance.base}/api/aliases`, {
    method: 'POST', headers: { Cookie: session, 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body });
  assert.equal(withToken.status, 201);
  const logout = await fetch(`${appliance.base}/api/admin/logout`, { method: 'POST', headers: { Cookie: session, 'X-CSRF-Token': csrf } });
  assert.equal(logout.status, 204);
  assert.equal((await fetch(`${appliance.base}/api/aliases`, { headers: { Cookie: session } })).status, 401, 'the session ended');
});

test('two-step sign-in: enrol with an authenticator code, then sign in with passphrase and code', async () => {
  await page.click('a[data-section=security]');
  await page.click('#enable-2fa');
  const secret = (await page.textContent('#totp-secret')).trim();
  await shot(page, '18-2fa-enrol');
  // the security page has more forms (the passphrase change): the enrolment's own submit button
  await page.fill('#f-code', '000000' === totp(secret) ? '111111' : '000000');
  await page.click('form:has(#f-code) button[type=submit]');
  assert.match(await errorAt('code'), /does not match/);
  await page.fill('#f-code', totp(secret));
  await page.click('form:has(#f-code) button[type=submit]');
  const codes = (await page.textContent('pre.recovery-codes')).trim().split('\n');
  assert.equal(codes.length, 10);
  await shot(page, '19-2fa-recovery-codes');

  // HTTP Basic would skip the second factor: with 2FA on it is refused
  assert.equal(await apiStatus('/api/mailboxes'), 401);

  await page.click('.admin-nav button.link'); // sign out
  await page.waitForSelector('form.login');
  await page.fill('#f-password', adminPassphrase);
  await page.click('button[type=submit]');
  await page.waitForSelector('#f-code');
  await page.fill('#f-code', totp(secret, Date.now() / 1000 - 90)); // an old code
  await page.click('button[type=submit]');
  assert.match(await errorAt('code'), /not right/);
  await shot(page, '20-2fa-login-wrong-code');
  // the code of the next 30 s step is inside the drift window and was never used
  await page.fill('#f-code', totp(secret, Date.now() / 1000 + 30));
  await page.click('button[type=submit]');
  await page.waitForSelector('.admin-nav');

  // a recovery code works once
  await page.click('.admin-nav button.link');
  await page.fill('#f-password', adminPassphrase);
  await page.click('button[type=submit]');
  await page.waitForSelector('#f-code');
  await page.fill('#f-code', codes[0]);
  await page.click('button[type=submit]');
  await page.waitForSelector('.admin-nav');
  await page.click('a[data-section=security]');
  await page.waitForSelector(':text("Recovery codes left: 9")');
  await shot(page, '21-2fa-on');
});

test('an API token works with two-step sign-in on until it is revoked; the audit log shows who changed what', async () => {
  await page.click('a[data-section=security]');
  await page.fill('#f-tokenName', 'monitoring');
  await page.click('form.token-form button[type=submit]');
  const token = (await page.textContent('#new-token')).trim();
  await page.waitForSelector('li[data-token=monitoring]');
  await shot(page, '44-api-token');
  const asToken = () => fetch(`${appliance.base}/api/mailboxes`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal((await asToken()).status, 200);
  await page.fill('#f-tokenName', 'monitoring');
  await page.click('form.token-form button[type=submit]');
  assert.match(await errorAt('tokenName'), /./, 'a second token of the same name is refused at the field');
  await page.click('li[data-token=monitoring] button.danger');
  await page.click('li[data-token=monitoring] [data-confirm=yes]');
  await page.waitForSelector('li[data-token=monitoring]', { state: 'detached' });
  assert.equal((await asToken()).status, 401);

  await page.click('a[data-section=audit]');
  await page.waitForSelector('table.audit-log tbody tr');
  const log = await page.textContent('table.audit-log tbody');
  assert.match(log, /admin\(2fa\)/, 'changes made after the two-step sign-in name that actor');
  assert.match(log, /created aliases/);
  assert.match(log, /anonymous/, 'the refused bearer token is there');
  await shot(page, '45-audit-log');
});

test('the admin page is translated: Italian from it.json', async () => {
  await page.goto(`${appliance.base}/?lang=it#dashboard`);
  await page.waitForSelector('.health');
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  assert.match(await page.textContent('a[data-section=mailboxes]'), /Caselle/);
  await shot(page, '22-admin-italian');
});

test('a mail sent through submission is fetched through IMAP by the mailbox the wizard created', async (t) => {
  const submission = await listening(appliance.ports.submission);
  const imap = await listening(appliance.ports.imap);
  if (!submission || !imap) {
    t.skip(`the appliance has no ${submission ? '' : 'submission (SMTP) '}${imap ? '' : 'IMAP '}server yet: mail round trip not checked`);
    return;
  }
  const subject = `wizard round trip ${Date.now()}`;
  execFileSync('swaks', ['--server', '127.0.0.1', '--port', String(appliance.ports.submission), '--tls',
    '--auth', 'PLAIN', '--auth-user', RENAMED, '--auth-password', mailboxPassword, '--from', RENAMED, '--to', RENAMED,
    '--header', `Subject: ${subject}`, '--body', 'hello from the wizard test', '--timeout', '30'], { stdio: 'pipe' });
  assert.match(await fetchOverImap(RENAMED, mailboxPassword, subject), new RegExp(subject));
  if (deliveredBeforeRename) {
    assert.match(await fetchOverImap(RENAMED, mailboxPassword, 'before rename'), /sent by the web e2e test/, 'mail from before the rename is still there');
  }
});

/** The message whose subject contains subject, fetched over IMAP with STARTTLS by curl (waits up to 30 s for it). */
async function fetchOverImap(user, password, subject, box = appliance) {
  const url = `imap://127.0.0.1:${box.ports.imap}/INBOX`;
  const curl = (...args) => execFileSync('curl', ['-s', '--ssl-reqd', '-k', '--user', `${user}:${password}`, ...args], { encoding: 'utf8' });
  for (let i = 0; i < 30; i++) {
    const n = (curl(url, '-X', `SEARCH SUBJECT "${subject}"`).match(/\* SEARCH ([0-9]+)/) || [])[1];
    if (n) return curl(`${url};MAILINDEX=${n}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return '';
}

nodeTest('no page script failed during the run', () => {
  assert.deepEqual(pageErrors, []);
});

test('a new box is restored from the USB backup made earlier in this run, from the wizard\'s first step (phone width)', async () => {
  const box = await restoreBox;
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  phone.setDefaultTimeout(60_000);
  try {
    await phone.goto(box.base);
    await phone.waitForSelector('#f-token');
    await phone.click('details.restore summary');
    await phone.waitForSelector('input[name=backupId]');
    const listed = await phone.$$eval('input[name=backupId]', (els) => els.map((e) => e.value));
    const onStick = await (await fetch(`${box.base}/api/restore`)).json();
    assert.deepEqual(listed, onStick.map((b) => b.id), 'the backups on the stick, newest first');
    assert.equal(listed[0], newestBackup, 'the backup made on the admin page is there, newest first');
    assert.equal(await phone.isChecked(`input[name=backupId][value="${listed[0]}"]`), true);
    await phone.fill('#f-restoreToken', box.token());
    await phone.fill('#f-restorePassphrase', 'not-the-backup-passphrase');
    await phone.click('#restore-start');
    assert.match(await errorAt('restorePassphrase', phone), /does not open the backup/);
    await shot(phone, '50-restore-wrong-passphrase');

    await phone.fill('#f-restorePassphrase', BACKUP_PASSPHRASE);
    await recordTexts('.restore-form .progress-message', phone);
    await phone.click('#restore-start');
    await phone.waitForSelector('#restore-done', { timeout: 120_000 });
    const seen = await recordedTexts(phone);
    assert.ok(seen.some((text) => /Restoring \(/.test(text)), `the restore's progress was shown: ${seen.join(' | ')}`);
    await shot(phone, '51-restore-done');
    await phone.click('#restore-done button');
    await phone.waitForSelector('form.login');
    await phone.fill('#f-password', adminPassphraseOfTheBackup);
    await phone.click('button[type=submit]');
    await phone.waitForSelector('.admin-nav');
    await phone.click('a[data-section=mailboxes]');
    await phone.waitForSelector(`li.mailbox[data-address="${RENAMED}"]`);
    await shot(phone, '52-restored-mailboxes');

    // the restored box lists the backup it came from as complete, and can go back to it from the admin page
    await phone.click('a[data-section=backup]');
    const item = `li.run[data-backup="${newestBackup}"]`;
    assert.match(await (await phone.waitForSelector(item)).textContent(), /complete/);
    await phone.click(`${item} [data-action=restoreAll]`);
    await phone.fill(`${item} input[type=password]`, 'still-not-the-passphrase');
    await phone.click(`${item} form.restore-all button[type=submit]`);
    assert.match(await errorAt(`${newestBackup}-passphrase`, phone), /does not open the backup/);
    await phone.fill(`${item} input[type=password]`, BACKUP_PASSPHRASE);
    await phone.click(`${item} form.restore-all button[type=submit]`);
    await phone.waitForSelector(`${item} .test-result.ok:has-text("was restored")`, { timeout: 120_000 });
    await shot(phone, '53-admin-restore-everything');
  } finally {
    await phone.close();
  }
  if (deliveredBeforeRename) {
    assert.match(await fetchOverImap(RENAMED, mailboxPassword, 'before rename', box), /sent by the web e2e test/, 'the restored box has the mail');
  }
});
