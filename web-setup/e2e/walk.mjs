#!/usr/bin/env node
// The first fifteen minutes, timed: walks the setup wizard of a fresh MailKeep box in Debian's headless Chromium as a
// non-expert would (setup token, suggested passphrase, domain, network, dynamic DNS skipped, DNS records with their
// live check, certificate, one mailbox with a generated password, the first backup if a stick is there, summary,
// dashboard), then — when the mail ports are given — sends a message through the MX and reads it over IMAP.
// Prints the seconds each step took and the total; exits 1 when a step fails (the failing step is named).
//
//   node walk.mjs --base http://mailkeep.local --token abcde-fghij-klmno-pqrst [--domain example.org]
//        [--mx-port 25 --imap-port 143 [--mail-host 127.0.0.1]] [--backup-passphrase ...] [--lang en|it]
//        [--shots DIR] [--json]
//
// Needs playwright-core (npm ci here) and /usr/bin/chromium (or CHROMIUM=...); swaks and curl for the mail step.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({ options: {
  base: { type: 'string' }, token: { type: 'string' }, domain: { type: 'string', default: 'example.org' },
  'mx-port': { type: 'string' }, 'imap-port': { type: 'string' }, 'mail-host': { type: 'string' },
  'backup-passphrase': { type: 'string', default: 'the-first-backup-of-the-walk' }, lang: { type: 'string', default: 'en' },
  shots: { type: 'string' }, json: { type: 'boolean', default: false }, timeout: { type: 'string', default: '300' },
} });
if (!o.base || !o.token) {
  console.error('usage: node walk.mjs --base URL --token SETUP-TOKEN [--domain D] [--mx-port N --imap-port N [--mail-host H]] [--lang en|it] [--shots DIR] [--json]');
  process.exit(2);
}
const base = o.base.replace(/\/$/, '');
const mailHost = o['mail-host'] || new URL(base).hostname;
const stepTimeout = Number(o.timeout) * 1000;
const timings = [];
let page;

/** Runs one step of the walk and records how long it took; a failure names the step and ends the walk. */
async function step(name, fn) {
  const started = performance.now();
  let note = '';
  try {
    note = (await fn()) || '';
  } catch (e) {
    timings.push({ step: name, seconds: (performance.now() - started) / 1000, failed: e.message.split('\n')[0] });
    if (o.shots) await page?.screenshot({ path: join(o.shots, `failed-${name}.png`), fullPage: true }).catch(() => {});
    report();
    process.exit(1);
  }
  timings.push({ step: name, seconds: (performance.now() - started) / 1000, note });
  await snap(`after ${name}`);
}

/** A full-page screenshot in --shots (numbered by step), when asked for. */
async function snap(label) {
  if (o.shots) await page.screenshot({ path: join(o.shots, `${String(timings.length).padStart(2, '0')}-${label}.png`), fullPage: true });
}

function report() {
  const total = timings.reduce((sum, x) => sum + x.seconds, 0);
  if (o.json) {
    console.log(JSON.stringify({ base, steps: timings, totalSeconds: total }, null, 2));
    return;
  }
  const width = Math.max(...timings.map((x) => x.step.length));
  for (const x of timings) {
    console.log(`${x.step.padEnd(width)}  ${x.seconds.toFixed(1).padStart(7)} s${x.failed ? `  FAILED: ${x.failed}` : x.note ? `  (${x.note})` : ''}`);
  }
  console.log(`${'total'.padEnd(width)}  ${total.toFixed(1).padStart(7)} s`);
}

const stepIs = (name) => page.waitForSelector(`section.step[data-step="${name}"]`, { timeout: stepTimeout });
const next = () => page.click('section.step .buttons button.primary');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
if (o.shots) mkdirSync(o.shots, { recursive: true });
try {
  page = await browser.newPage({ viewport: { width: 1100, height: 850 }, ignoreHTTPSErrors: true });
  page.setDefaultTimeout(stepTimeout);
  const mailbox = `office@${o.domain}`;
  let password = '';

  await step('open the page', async () => {
    await page.goto(`${base}/?lang=${o.lang}`);
    await stepIs('claim');
  });
  await step('claim with the setup token', async () => {
    await page.fill('#f-token', o.token);
    await page.click('section.step form button[type=submit]');
    await stepIs('passphrase');
  });
  await step('admin passphrase (suggested)', async () => {
    await page.click('#suggest');
    await page.click('section.step form button[type=submit]');
    await stepIs('domain');
  });
  await step('domain and host name', async () => {
    await page.fill('#f-domain', o.domain);
    await page.click('section.step form button[type=submit]'); // setup completes here (POST /api/setup, sign-in)
    await stepIs('network');
  });
  await step('network check', async () => {
    await page.waitForSelector('section.step[data-step="network"] :is(ul.checks, .unavailable)');
    const checks = await page.$$eval('section.step[data-step="network"] ul.checks li', (lis) => lis.map((li) => li.className.replace('check ', '')));
    await next();
    await stepIs('ddns');
    return checks.length ? `${checks.filter((c) => c === 'ok').length} of ${checks.length} checks ok` : '';
  });
  await step('dynamic DNS (skipped)', async () => {
    await page.waitForSelector('section.step[data-step="ddns"] :is(form, .unavailable)');
    await next();
    await stepIs('dns');
  });
  await step('DNS records and their live check', async () => {
    await page.waitForSelector('section.step[data-step="dns"] :is(.record-group:not([hidden]) .group-check[data-level], .unavailable, .notice)');
    // every shown group has had its live check
    await page.waitForFunction(() => [...document.querySelectorAll('.record-group:not([hidden]) .group-check')].every((el) => el.dataset.level),
      null, { timeout: stepTimeout });
    const verdicts = await page.$$eval('.record-group:not([hidden])', (groups) => groups.map((g) => `${g.dataset.group}: ${g.querySelector('.group-check').textContent}`));
    await snap('DNS records');
    await next();
    await stepIs('certificate');
    return verdicts.join('; ');
  });
  await step('certificate', async () => {
    await page.waitForSelector('section.step[data-step="certificate"] :is(dl.facts, .unavailable, .notice, p)');
    await next();
    await stepIs('mailboxes');
  });
  await step('first mailbox', async () => {
    await page.fill('#f-address', 'office');
    await page.click('#generate-password');
    password = await page.inputValue('#f-password');
    await page.click('form.create-mailbox button[type=submit]');
    await page.waitForSelector(`li.mailbox[data-address="${mailbox}"]`);
    await next();
    await stepIs('backup');
  });
  await step('first backup', async () => {
    const form = await page.waitForSelector('section.step[data-step="backup"] :is(#f-passphrase, .unavailable, .notice)');
    if (!(await form.evaluate((el) => el.id === 'f-passphrase'))) {
      await next();
      await stepIs('summary');
      return 'skipped: no backup form';
    }
    await page.fill('#f-passphrase', o['backup-passphrase']);
    await page.click('section.step form button[type=submit]');
    const result = await page.waitForSelector('section.step .test-result:is(.ok, .error)');
    const text = (await result.textContent()).trim();
    await next();
    await stepIs('summary');
    return (await result.evaluate((el) => el.classList.contains('ok'))) ? 'done' : `not done: ${text}`;
  });
  await step('summary, then the dashboard', async () => {
    await next();
    await page.waitForSelector('.health');
    return (await page.textContent('.health')).trim();
  });
  if (o['mx-port'] && o['imap-port']) {
    await step('a message through the MX, read over IMAP', async () => {
      const subject = `first message ${Date.now()}`;
      execFileSync('swaks', ['--server', mailHost, '--port', o['mx-port'], '--from', 'friend@example.net', '--to', mailbox,
        '--header', `Subject: ${subject}`, '--body', 'welcome to your own mail server', '--timeout', '60'], { stdio: 'pipe' });
      const url = `imap://${mailHost}:${o['imap-port']}/INBOX`;
      const curl = (...args) => execFileSync('curl', ['-s', '--ssl-reqd', '-k', '--user', `${mailbox}:${password}`, ...args], { encoding: 'utf8' });
      for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
        const n = (curl(url, '-X', `SEARCH SUBJECT "${subject}"`).match(/\* SEARCH ([0-9]+)/) || [])[1];
        if (n) return `read back ${curl(`${url};MAILINDEX=${n}`).length} bytes`;
        await new Promise((ok) => setTimeout(ok, 1000));
      }
      throw new Error('the message did not arrive in the INBOX within 120 s');
    });
  }
  report();
} finally {
  await browser.close();
}
