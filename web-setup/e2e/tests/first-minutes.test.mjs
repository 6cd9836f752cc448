// What a new owner meets in the first minutes after the wizard, in Debian's headless Chromium against the packaged
// appliance: the DNS records in three groups, each checked live against the test peers' BIND, with a zone file to
// download (loaded by BIND's own named-checkzone) and to copy whole; a dashboard without "null" or "undefined"
// under the lights, that warns when antivirus is off on a box with the memory for it; dates in the chosen language.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppliance } from '../lib/appliance.mjs';
import { launch, shot } from '../lib/browser.mjs';

const PEERS = process.env.PEERS || '/tmp/mailkeep-peers'; // test-support/peers.sh: BIND on 127.0.0.1:5353, zone example.test
const PUBLIC_IP = '192.0.2.44';
// a name of this run's own under the peers' zone, so runs and other tests never see each other's records
const DOMAIN = `m${Date.now().toString(36)}.example.test`;
const HOST = `mail.${DOMAIN}`;
const ADMIN = 'tagliatelle-verdi-alla-bolognese';
const MAILBOX = `gino@${DOMAIN}`;
const MAILBOX_PASSWORD = 'ravioli-di-zucca-e-amaretti';
let appliance;
let browser;
let page;
let echo;
let scratch;
let broken = null;
const pageErrors = [];

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
  echo = http.createServer((request, response) => response.end(`${PUBLIC_IP}\n`));
  await new Promise((ok) => echo.listen(0, '127.0.0.1', ok));
  scratch = mkdtempSync(join(tmpdir(), 'mailkeep-e2e-first-'));
  // the box's memory as the kernel reports it on a Raspberry Pi 4 with 4 GB: enough for ClamAV
  const meminfo = join(scratch, 'meminfo');
  writeFileSync(meminfo, 'MemTotal:        3977412 kB\nMemFree:         2214000 kB\nMemAvailable:    3010000 kB\n');
  appliance = await startAppliance({ env: {
    MAILKEEP_NETCHECK_IPV4_ECHO: `http://127.0.0.1:${echo.address().port}/`,
    MAILKEEP_HEALTH_MEMINFO_FILE: meminfo,
  } });
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appliance.base });
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await appliance?.stop();
  echo?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const basic = () => `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`;
async function apiJson(path, init = {}) {
  const r = await fetch(appliance.base + path, { ...init, headers: { Authorization: basic(), 'Content-Type': 'application/json', ...(init.headers || {}) } });
  const text = await r.text();
  assert.ok(r.ok, `${init.method || 'GET'} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
const section = async (name) => {
  await page.click(`a[data-section=${name}]`);
  await page.waitForSelector(`a[data-section=${name}][aria-current]`);
};

/** Adds the zone-file lines to the peers' BIND with RFC 2136 updates signed by its TSIG key (nsupdate). */
function publish(lines) {
  const script = ['server 127.0.0.1 5353', 'zone example.test', ...lines.map((l) => `update add ${l}`), 'send', ''].join('\n');
  execFileSync('nsupdate', ['-k', join(PEERS, 'bind/ddns.key')], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** The record lines (not comments) under the heading of one group in the zone-file fragment. */
function groupLines(zone, heading) {
  const lines = zone.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`; ${heading}`));
  assert.ok(start >= 0, `the zone file has the heading "${heading}"`);
  const out = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '' || line.startsWith('; Needed') || line === '; Recommended') break;
    if (!line.startsWith(';')) out.push(line);
  }
  return out;
}

test('setup through the API, then the admin signs in', async () => {
  const setup = await fetch(`${appliance.base}/api/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: appliance.token(), domain: DOMAIN, hostname: HOST, adminPassword: ADMIN }) });
  assert.equal(setup.status, 200, await setup.text());
  await apiJson('/api/mailboxes', { method: 'POST', body: JSON.stringify({ address: MAILBOX, password: MAILBOX_PASSWORD }) });
  await page.goto(appliance.base);
  await page.fill('#f-password', ADMIN);
  await page.click('button[type=submit]');
  await page.waitForSelector('.admin-nav');
});

let zone;

test('the zone file: served as text/dns, every record of the domain, and BIND\'s named-checkzone loads it', async () => {
  const r = await fetch(`${appliance.base}/api/dns/zone`, { headers: { Authorization: basic() } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/dns/);
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="${DOMAIN}.zone"`);
  zone = await r.text();
  // wait for the public address (the network check asks the echo service at start): the A record needs it
  for (let i = 0; i < 60 && !zone.includes(PUBLIC_IP); i++) {
    await new Promise((ok) => setTimeout(ok, 1000));
    zone = await (await fetch(`${appliance.base}/api/dns/zone`, { headers: { Authorization: basic() } })).text();
  }
  const bogus = await fetch(`${appliance.base}/api/dns/records?group=everything`, { headers: { Authorization: basic() } });
  assert.equal(bogus.status, 400);
  assert.equal((await bogus.json()).field, 'group');
  const records = await apiJson('/api/dns/records');
  assert.equal(records.length, 16, `the records of a new box: ${records.map((x) => `${x.type} ${x.name}`).join(', ')}`);
  assert.deepEqual([...new Set(records.map((x) => x.group))], ['receive', 'send', 'recommended'], 'grouped, in that order');
  for (const x of records) {
    const owner = `${x.name}.`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(zone, new RegExp(`^${x.type === 'PTR' ? '; ' : ''}${owner}\\s+3600\\s+IN\\s+${x.type}\\s`, 'm'), `${x.type} ${x.name} is in the zone file`);
  }
  const file = join(scratch, 'zone.db');
  writeFileSync(file, `$TTL 3600\n@ IN SOA ns1.${DOMAIN}. hostmaster.${DOMAIN}. 1 3600 900 604800 300\n@ IN NS ns1.${DOMAIN}.\nns1 IN A 192.0.2.53\n${zone}`);
  const out = execFileSync('named-checkzone', ['-i', 'full', '-k', 'fail', '-m', 'fail', '-M', 'fail', '-n', 'fail', '-S', 'fail', DOMAIN, file], { encoding: 'utf8' });
  assert.match(out, /OK/);
  assert.doesNotMatch(out, /ignoring/);
});

test('DNS records page: three groups, each with its live check against BIND; a group is checked again on its own', async () => {
  await section('dns');
  const verdict = (group) => `.record-group[data-group=${group}] .group-check[data-level]`;
  await page.waitForSelector(verdict('recommended'));
  const records = await apiJson('/api/dns/records');
  for (const group of ['receive', 'send', 'recommended']) {
    const mine = records.filter((x) => x.group === group);
    const rows = await page.$$eval(`.record-group[data-group=${group}] tbody tr`, (trs) => trs.map((tr) => `${tr.dataset.type} ${tr.dataset.name}`));
    assert.deepEqual(rows, mine.map((x) => `${x.type} ${x.name}`), `the ${group} group lists its records`);
  }
  assert.equal(await page.textContent('#dns-group-receive'), 'Needed to receive mail');
  assert.equal(await page.textContent('#dns-group-send'), 'Needed to send mail well');
  assert.equal(await page.textContent('#dns-group-recommended'), 'Recommended');
  // nothing is published yet
  assert.equal(await page.getAttribute(verdict('receive'), 'data-level'), 'warning');
  assert.match(await page.textContent(verdict('receive')), /2 of 2 not found yet or different/);
  await shot(page, '60-dns-groups-unpublished');

  // the owner publishes the first group (MX and A, as the zone file gives them) and checks that group again
  publish(groupLines(zone, 'Needed to receive mail'));
  await page.click('.record-group[data-group=receive] [data-action=check]');
  await page.waitForSelector(`${verdict('receive')}[data-level=ok]`);
  assert.equal(await page.textContent(verdict('receive')), 'All 2 found');
  assert.equal(await page.locator('.record-group[data-group=receive] tbody tr.status-ok').count(), 2);
  assert.equal(await page.getAttribute(verdict('send'), 'data-level'), 'warning', 'the other groups are as they were');
  await shot(page, '61-dns-receive-published');
});

test('the zone file downloads from the page and "copy all" copies the same text', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#zone-download')]);
  assert.equal(download.suggestedFilename(), `${DOMAIN}.zone`);
  const downloaded = readFileSync(await download.path(), 'utf8');
  assert.match(downloaded, new RegExp(`^${DOMAIN.replace(/\./g, '\\.')}\\.\\s+3600\\s+IN\\s+MX\\s+10 ${HOST.replace(/\./g, '\\.')}\\.$`, 'm'));
  await page.click('#zone-copy');
  await page.waitForSelector('#zone-copy:has-text("Copied")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), downloaded);
});

test('dashboard: antivirus off on a box with 3884 MiB is a warning; no "null" or "undefined" anywhere', async () => {
  const status = await (await fetch(`${appliance.base}/api/status`)).json();
  const antivirus = status.health.checks.find((c) => c.name === 'antivirus');
  assert.equal(antivirus.level, 'warning', antivirus.reason);
  assert.match(antivirus.reason, /3884 MiB/);
  await section('dashboard');
  await page.waitForSelector('li.lamp');
  await page.waitForSelector('.panel[data-panel=mail]');
  const check = await page.waitForSelector('li.check[data-check=antivirus]');
  assert.match(await check.getAttribute('class'), /\bwarning\b/);
  assert.match(await check.textContent(), /^Warning Antivirus: off, although this box has 3884 MiB/);
  await shot(page, '62-dashboard-antivirus-warning');
  // the text as the page shows it (innerText: blocks on lines of their own, so a stray word is not glued to the one before)
  const text = await page.innerText('body');
  assert.doesNotMatch(text, /\bnull\b|\bundefined\b|\bNaN\b|\[object /, 'the dashboard shows no programming words');
  await page.goto(`${appliance.base}/?lang=it#dashboard`);
  await page.waitForSelector('li.lamp');
  await page.waitForSelector('.panel[data-panel=mail]');
  assert.doesNotMatch(await page.innerText('body'), /\bnull\b|\bundefined\b|\bNaN\b|\[object /, 'nor in Italian');
});

test('dates follow the chosen language: the certificate on the dashboard and an app password\'s last use', async () => {
  // an app password, used once over IMAP so that it has a "last used" moment
  const created = await apiJson(`/api/mailboxes/${encodeURIComponent(MAILBOX)}/app-passwords`, { method: 'POST', body: JSON.stringify({ label: 'phone' }) });
  execFileSync('curl', ['-s', '--ssl-reqd', '-k', '--user', `${MAILBOX}:${created.password}`, `imap://127.0.0.1:${appliance.ports.imap}/INBOX`, '-X', 'NOOP']);
  const used = (await apiJson(`/api/mailboxes/${encodeURIComponent(MAILBOX)}/app-passwords`))[0].lastUsedAt;
  assert.ok(used, 'the IMAP login counts as a use');
  const notAfter = (await apiJson('/api/dashboard')).certificate.notAfter;
  for (const lang of ['it', 'en']) {
    await page.goto(`${appliance.base}/?lang=${lang}#dashboard`);
    const expires = await (await page.waitForSelector('[data-fact=certificate-expires]')).textContent();
    const expected = (at) => page.evaluate(([l, v]) => new Date(v).toLocaleString(l, { dateStyle: 'medium', timeStyle: 'short' }), [lang, at]);
    assert.ok(expires.startsWith(await expected(notAfter)), `${lang}: ${expires}`);
    await page.click('a[data-section=mailboxes]');
    await page.click(`li.mailbox[data-address="${MAILBOX}"] [data-action=appPasswords]`);
    const line = await (await page.waitForSelector(`li.mailbox[data-address="${MAILBOX}"] .app-passwords li .muted`)).textContent();
    assert.ok(line.includes(await expected(used)), `${lang}: "${line}" has the moment written as ${lang} writes it`);
    if (lang === 'it') {
      assert.match(line, /ultimo uso/, 'the Italian words around it');
      await shot(page, '63-app-password-italian-date');
    }
  }
});

nodeTest('no page script failed during the run', () => {
  assert.deepEqual(pageErrors, []);
});
