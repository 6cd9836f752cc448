// Starts the packaged appliance (appliance/target/quarkus-app/quarkus-run.jar) on free loopback ports with a
// fresh data directory, as a person would after flashing the card; stops it when the tests end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, createWriteStream, rmSync, mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const JAR = join(ROOT, 'appliance/target/quarkus-app/quarkus-run.jar');

export function freePort() {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port) {
  return new Promise((ok) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(3000);
    socket.on('connect', () => { socket.destroy(); ok(true); });
    socket.on('error', () => ok(false));
    socket.on('timeout', () => { socket.destroy(); ok(false); });
  });
}

/**
 * Lays out under root the sysfs and udev entries a Raspberry Pi 4 shows for a SanDisk Ultra Fit stick with one
 * FAT32 partition labelled BACKUP (the layout of UsbSticksTest), so that GET /api/backup/sticks finds a stick
 * on a machine that has none. Returns the two directories for mailkeep.backup.sys-block and .udev-data.
 */
function recordedUsbStick(root) {
  const device = join(root, 'sys/devices/platform/scb/fd500000.pcie/pci0000:00/0000:00:00.0/0000:01:00.0/usb2/2-2/2-2:1.0/host0/target0:0:0/0:0:0:0');
  const disk = join(device, 'block/sda');
  mkdirSync(join(disk, 'sda1'), { recursive: true });
  writeFileSync(join(device, 'vendor'), 'SanDisk\n');
  writeFileSync(join(device, 'model'), 'Ultra Fit\n');
  symlinkSync(device, join(disk, 'device'));
  writeFileSync(join(disk, 'size'), '61341696\n');
  writeFileSync(join(disk, 'dev'), '8:0\n');
  writeFileSync(join(disk, 'removable'), '0\n');
  writeFileSync(join(disk, 'sda1/partition'), '1\n');
  writeFileSync(join(disk, 'sda1/size'), '61339648\n');
  writeFileSync(join(disk, 'sda1/dev'), '8:1\n');
  mkdirSync(join(root, 'sys/block'), { recursive: true });
  symlinkSync(disk, join(root, 'sys/block/sda'));
  const udev = join(root, 'run/udev/data');
  mkdirSync(udev, { recursive: true });
  writeFileSync(join(udev, 'b8:1'), 'E:ID_BUS=usb\nE:ID_FS_TYPE=vfat\nE:ID_FS_LABEL=BACKUP\nE:ID_FS_USAGE=filesystem\n');
  return { sysBlock: join(root, 'sys/block'), udevData: udev };
}

/**
 * options.backupTarget: the "USB stick" directory (default: usb-stick in the fresh data directory);
 * options.env: more environment (configuration) for the appliance.
 */
export async function startAppliance(options = {}) {
  if (!existsSync(JAR)) throw new Error(`${JAR} is missing: build it first (./mvnw package -DskipTests)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mailkeep-e2e-'));
  const backupTarget = options.backupTarget || join(dataDir, 'usb-stick');
  const stick = recordedUsbStick(join(dataDir, 'recorded-usb'));
  const ports = {};
  for (const key of ['http', 'smtp', 'submission', 'submissions', 'imap', 'imaps']) ports[key] = await freePort();
  const env = {
    ...process.env,
    // the "local" profile keeps the appliance on this machine: no ACME, IP-echo, port-25 probe or DNSBL on the
    // internet; DNS goes to the test peers' BIND on loopback (test-support/peers.sh)
    QUARKUS_PROFILE: 'local',
    MAILKEEP_DNS_SERVERS: process.env.MAILKEEP_DNS_SERVERS || '127.0.0.1:5353',
    MAILKEEP_BACKUP_TARGET: backupTarget,
    MAILKEEP_BACKUP_SYS_BLOCK: stick.sysBlock,
    MAILKEEP_BACKUP_UDEV_DATA: stick.udevData,
    MAILKEEP_DATA_DIR: dataDir,
    MAILKEEP_BIND: '127.0.0.1',
    MAILKEEP_HARDWARE: 'mock',
    QUARKUS_HTTP_PORT: String(ports.http),
    QUARKUS_HTTP_SSL_PORT: '0',
    MAILKEEP_SMTP_PORT: String(ports.smtp),
    MAILKEEP_SUBMISSION_PORT: String(ports.submission),
    MAILKEEP_SUBMISSIONS_PORT: String(ports.submissions),
    MAILKEEP_IMAP_PORT: String(ports.imap),
    MAILKEEP_IMAPS_PORT: String(ports.imaps),
    ...(options.env || {}),
  };
  const logPath = join(dataDir, 'appliance.log');
  const log = createWriteStream(logPath);
  const child = spawn('java', ['-Xmx256m', '-XX:+UseSerialGC', '-jar', JAR], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const base = `http://127.0.0.1:${ports.http}`;
  const deadline = Date.now() + 240_000; // a loaded 2-core machine can take a minute or more to start Quarkus
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the appliance exited (${child.exitCode}); log: ${logPath}\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
    try {
      const r = await fetch(`${base}/api/status`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) { child.kill(); throw new Error(`the appliance did not answer within 240 s; log: ${logPath}`); }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    base, ports, dataDir, logPath, backupTarget,
    token: () => readFileSync(join(dataDir, 'setup-token'), 'utf8').trim(),
    /** Stops the appliance and removes its data directory (kept, with its log, when MAILKEEP_E2E_KEEP is set). */
    stop: async () => {
      if (child.exitCode === null) {
        await new Promise((ok) => {
          child.once('exit', ok);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        });
      }
      if (process.env.MAILKEEP_E2E_KEEP) console.log(`appliance data and log kept in ${dataDir}`);
      else rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
