// First boot end to end in Debian's headless Chromium against the packaged appliance with a fresh data directory:
// refusals shown at their fields, the whole wizard, the admin UI (rename keeps mail, aliases, 2FA login) and,
// once the appliance has its SMTP and IMAP servers, a mail sent through submission and fetched through IMAP.
// Screenshots of every step go to test-artifacts/wizard/.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startAppliance, listening } from '../lib/appliance.mjs';
import { launch, shot } from '../lib/browser.mjs';
import { totp } from '../lib/totp.mjs';

const DOMAIN_IDN = 'bücher.test';
const DOMAIN = 'xn--bcher-kva.test';
const MAILBOX = `anna@${DOMAIN}`;
const RENAMED = `anna.rossi@${DOMAIN}`;
let appliance;
let browser;
let page;
let adminPassphrase;
let mailboxPassword;
let broken = null;

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

before(async () => {
  appliance = await startAppliance();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  page.setDefaultTimeout(60_000);
});

after(async () => {
  await browser?.close();
  await appliance?.stop();
});

const next = () => page.click('.step .buttons button.primary');
const stepIs = (name) => page.waitForSelector(`section.step[data-step="${name}"]`);
const errorAt = async (field) => (await page.waitForSelector(`#f-${field}-error:not(:empty)`)).textContent();

/** The status of a GET to the appliance's API from outside the browser, as the admin (HTTP Basic). */
async function apiStatus(path) {
  const r = await fetch(appliance.base + path, { headers: { Authorization: `Basic ${Buffer.from(`admin:${adminPassphrase}`).toString('base64')}` } });
  return r.status;
}

test('a phone shows the claim step; a wrong setup token is refused at its field', async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
  await phone.goto(appliance.base);
  await phone.waitForSelector('#f-token');
  await shot(phone, '00-phone-claim');
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

test('backup says when it is not there yet; the summary lists what works and what the lights mean', async () => {
  await featureStep('backup', '/api/backup/settings', '12-backup');
  await stepIs('summary');
  assert.match(await page.textContent('[data-result=domain]'), /works/);
  assert.match(await page.textContent('[data-result=mailboxes]'), /works/);
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
  await page.fill('#f-code', '000000' === totp(secret) ? '111111' : '000000');
  await page.click('button[type=submit]');
  assert.match(await errorAt('code'), /does not match/);
  await page.fill('#f-code', totp(secret));
  await page.click('button[type=submit]');
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
async function fetchOverImap(user, password, subject) {
  const url = `imap://127.0.0.1:${appliance.ports.imap}/INBOX`;
  const curl = (...args) => execFileSync('curl', ['-s', '--ssl-reqd', '-k', '--user', `${user}:${password}`, ...args], { encoding: 'utf8' });
  for (let i = 0; i < 30; i++) {
    const n = (curl(url, '-X', `SEARCH SUBJECT "${subject}"`).match(/\* SEARCH ([0-9]+)/) || [])[1];
    if (n) return curl(`${url};MAILINDEX=${n}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return '';
}
