#!/usr/bin/env python3
"""IMAP benchmark: MailKeep against Dovecot with the same mailbox content and a Thunderbird-like workload.

Starts MailKeep from the built jar with a temporary data directory, creates an account through the setup
API, loads the same N generated messages (mixed sizes, attachments, forwarded messages) into MailKeep and
into the Dovecot peer (127.0.0.1:1993, see test-support/peers.sh) by APPEND, then runs C client processes
for S seconds against each server. Each client loops: LOGIN, SELECT INBOX, UID FETCH 1:* FLAGS, FETCH
ENVELOPE/BODYSTRUCTURE of the newest messages, FETCH bodies, STORE \\Seen, MOVE to Archive, SEARCH, IDLE,
LOGOUT. Prints operations per second per kind and in total, the ratio MailKeep/Dovecot and the RSS of each.
"""
import argparse
import base64
import imaplib
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# MAILKEEP_BENCH_JAR: a copy of the built app to run, so that rebuilding the worktree does not pull classes from under it
JAR = os.environ.get("MAILKEEP_BENCH_JAR") or os.path.join(ROOT, "appliance/target/quarkus-app/quarkus-run.jar")
JAVA_OPTS = ["-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k",
             "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError"]
OPS = ["login", "select", "fetch_flags", "fetch_headers", "fetch_body", "store", "move", "search", "idle", "logout"]


def free_ports(count):
    """count distinct free ports: all are held open until each is known, so the kernel cannot hand out one twice
    (asking for one port per listener, each closed at once, once gave the SMTP and the IMAPS listener the same port)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def message(i):
    rnd = random.Random(i)
    common = ("From: Sender %d <sender%d@example.net>\r\nTo: bench@example.test\r\nMessage-ID: <b%d@example.net>\r\n"
              "Date: Mon, %d Jan 2024 10:%02d:00 +0000\r\n") % (i % 50, i % 50, i, 1 + i % 28, i % 60)
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit %d.\r\n" % i) * rnd.randint(3, 60)
    kind = i % 5
    if kind in (0, 1):
        return common + "Subject: Note %d\r\n\r\n%s" % (i, text)
    if kind == 2:
        return (common + "Subject: Newsletter %d\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=a%d\r\n\r\n"
                "--a%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n--a%d\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                "<html><body><p>%s</p></body></html>\r\n--a%d--\r\n") % (i, i, i, text, i, text.replace("\r\n", "<br>"), i)
    if kind == 3:
        blob = rnd.randbytes(rnd.choice([4000, 20000, 120000, 400000]))
        b64 = base64.encodebytes(blob).decode().replace("\n", "\r\n")
        return (common + "Subject: Report %d with attachment\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=m%d\r\n\r\n"
                "--m%d\r\nContent-Type: text/plain\r\n\r\n%s\r\n--m%d\r\nContent-Type: application/pdf; name=\"r%d.pdf\"\r\n"
                "Content-Disposition: attachment; filename=\"r%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--m%d--\r\n") % (
            i, i, i, text, i, i, i, b64, i)
    return (common + "Subject: Fwd: thread %d\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=f%d\r\n\r\n"
            "--f%d\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--f%d\r\nContent-Type: message/rfc822\r\n\r\n"
            "From: other@example.org\r\nSubject: original %d\r\n\r\n%s\r\n--f%d--\r\n") % (i, i, i, i, i, text, i)


class Server:
    def __init__(self, name, port, user, password):
        self.name, self.port, self.user, self.password = name, port, user, password

    def connect(self):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context)
        conn.login(self.user, self.password)
        return conn


def start_mailkeep(workdir):
    data = os.path.join(workdir, "data")
    ready = os.path.join(workdir, "bench-account")  # written once the account exists: a kept directory is set up
    os.makedirs(data, exist_ok=True)
    http, imaps, imap, smtp, submission, submissions, https = free_ports(7)
    env = dict(os.environ, MAILKEEP_DATA_DIR=data, MAILKEEP_BIND="127.0.0.1", MAILKEEP_IMAP_PORT=str(imap),
               MAILKEEP_IMAPS_PORT=str(imaps), MAILKEEP_SMTP_PORT=str(smtp), MAILKEEP_SUBMISSION_PORT=str(submission),
               MAILKEEP_SUBMISSIONS_PORT=str(submissions), QUARKUS_HTTP_PORT=str(http), QUARKUS_HTTP_SSL_PORT=str(https),
               MAILKEEP_HARDWARE="mock", QUARKUS_PROFILE="local", MAILKEEP_DNS_SERVERS="127.0.0.1:5353")  # nothing leaves the machine
    log = open(os.path.join(workdir, "mailkeep.log"), "w")
    # the JVM options of the image (image-build/README.md), so the RSS printed is what a Raspberry Pi sees;
    # MAILKEEP_BENCH_JAVA_OPTS adds options (a flight recording, say)
    java = ["java"] + JAVA_OPTS + os.environ.get("MAILKEEP_BENCH_JAVA_OPTS", "").split() + ["-jar", JAR]
    process = subprocess.Popen(java, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/api/status" % http, timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        sys.exit("MailKeep did not start; see " + log.name)
    if not os.path.exists(ready):
        token = open(os.path.join(data, "setup-token")).read().strip()
        post("http://127.0.0.1:%d/api/setup" % http, {"token": token, "domain": "example.test", "hostname": "mail.example.test",
                                                       "adminPassword": "bench-admin-password"})
        post("http://127.0.0.1:%d/api/mailboxes" % http, {"address": "bench@example.test", "password": "bench-password-1"},
             auth=("admin", "bench-admin-password"))
        open(ready, "w").write("bench@example.test\n")
    return process, Server("MailKeep", imaps, "bench@example.test", "bench-password-1")


def post(url, body, auth=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def reset_and_load(server, n, loaders):
    conn = server.connect()
    for box in ("INBOX", "Archive"):
        conn.create(box)
        conn.select(box)
        conn.uid("STORE", "1:*", "+FLAGS.SILENT", "(\\Deleted)")
        conn.expunge()
    conn.logout()
    chunks = [range(k, n, loaders) for k in range(loaders)]
    with multiprocessing.Pool(loaders) as pool:
        pool.starmap(load_chunk, [(server, list(c)) for c in chunks])


def uid_sets(uids, size=500):
    """UID sets of at most size UIDs each, consecutive UIDs as ranges."""
    uids = sorted(uids)
    for k in range(0, len(uids), size):
        chunk, parts, start = uids[k:k + size], [], None
        for j, uid in enumerate(chunk):
            if start is None:
                start = uid
            if j + 1 == len(chunk) or chunk[j + 1] != uid + 1:
                parts.append(str(start) if start == uid else "%d:%d" % (start, uid))
                start = None
        yield ",".join(parts)


def restore_loaded(server, n):
    """When INBOX and Archive hold exactly the n generated messages (a previous run loaded them), puts them back in the
    state a fresh load leaves (all in INBOX, every third \\Seen, nothing else flagged) and returns True; else False."""
    conn = server.connect()
    try:
        found = {}
        for box in ("INBOX", "Archive"):
            typ, _ = conn.select(box)
            if typ != "OK":
                return False
            typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            for d in data:
                if isinstance(d, tuple):
                    uid = re.search(rb"UID (\d+)", d[0])
                    mid = re.search(rb"<b(\d+)@example.net>", d[1])
                    if uid and mid:
                        found.setdefault(box, {})[int(uid.group(1))] = int(mid.group(1))
        indexes = sorted(i for box in found.values() for i in box.values())
        if indexes != list(range(n)):
            return False
        for uids in uid_sets(found.get("Archive", {})):  # Archive is still selected
            conn.uid("MOVE", uids, "INBOX")
        conn.select("INBOX")
        typ, data = conn.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        seen, unseen = [], []
        for d in data:
            if isinstance(d, tuple):
                uid, mid = re.search(rb"UID (\d+)", d[0]), re.search(rb"<b(\d+)@example.net>", d[1])
                (seen if int(mid.group(1)) % 3 == 0 else unseen).append(int(uid.group(1)))
        for uids in uid_sets(seen):
            conn.uid("STORE", uids, "FLAGS.SILENT", "(\\Seen)")
        for uids in uid_sets(unseen):
            conn.uid("STORE", uids, "FLAGS.SILENT", "()")
        return True
    finally:
        conn.logout()


def raw_latencies(server, commands, reps=5):
    """One client alone on a raw socket (no client-side parsing): best and median of reps runs after one warm-up run."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sock = context.wrap_socket(socket.create_connection(("127.0.0.1", server.port)))
    reader = sock.makefile("rb")
    reader.readline()
    tags = iter(range(1, 1 << 30))

    def command(text):
        tag = b"r%d" % next(tags)
        sock.sendall(tag + b" " + text.encode() + b"\r\n")
        size = 0
        while True:
            line = reader.readline()
            if not line:
                raise OSError("connection closed")
            size += len(line)
            if line.endswith(b"}\r\n"):
                literal = int(line[line.rindex(b"{") + 1:-3])
                reader.read(literal)
                size += literal
            if line.startswith(tag + b" "):
                return size
    command('LOGIN "%s" "%s"' % (server.user, server.password))
    command("SELECT INBOX")
    figures = {}
    for text in commands:
        command(text)
        times = []
        for _ in range(reps):
            started = time.time()
            size = command(text)
            times.append(1000 * (time.time() - started))
        times.sort()
        figures[text] = (times[0], times[len(times) // 2], size)
    command("LOGOUT")
    sock.close()
    return figures


def raw_commands(server):
    conn = server.connect()
    conn.select("INBOX")
    typ, data = conn.uid("SEARCH", "ALL")
    conn.logout()
    uids = [int(u) for u in data[0].split()]
    newest = "%d:%d" % (uids[-50], uids[-1]) if len(uids) >= 50 else "1:*"
    return ["SELECT INBOX", "UID FETCH 1:* (FLAGS)", "UID FETCH %s (UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE)" % newest,
            "UID FETCH %s (BODY.PEEK[HEADER.FIELDS (References X-Priority)])" % newest, "UID SEARCH UNSEEN",
            "UID SEARCH SUBJECT Report"]


def load_chunk(server, indexes):
    conn = server.connect()
    for i in indexes:
        conn.append("INBOX", "(\\Seen)" if i % 3 == 0 else None, None, message(i).encode())
    conn.logout()


def client(server, seconds, seed, results):
    rnd = random.Random(seed)
    counts = dict.fromkeys(OPS, 0)
    spent = dict.fromkeys(OPS, 0.0)

    def op(kind, call, *args):
        started = time.time()
        result = call(*args)
        spent[kind] += time.time() - started
        counts[kind] += 1
        return result

    def idle(conn):
        tag = conn._new_tag().decode()
        conn.send(("%s IDLE\r\n" % tag).encode())
        while not conn.readline().startswith(b"+"):
            pass
        conn.send(b"DONE\r\n")
        while not conn.readline().decode().startswith(tag):
            pass

    deadline = time.time() + seconds
    failure = None
    try:
        while time.time() < deadline:
            conn = op("login", server.connect)
            op("select", conn.select, "INBOX")
            typ, data = op("fetch_flags", conn.uid, "FETCH", "1:*", "(FLAGS)")
            uids = [int(m.group(1)) for m in (re.search(rb"UID (\d+)", d if isinstance(d, bytes) else d[0]) for d in data if d) if m]
            if not uids:
                conn.logout()
                break
            newest = uids[-50:]
            op("fetch_headers", conn.uid, "FETCH", "%d:%d" % (newest[0], newest[-1]),
               "(UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE BODYSTRUCTURE BODY.PEEK[HEADER.FIELDS (References X-Priority)])")
            for uid in rnd.sample(uids, min(5, len(uids))):
                op("fetch_body", conn.uid, "FETCH", str(uid), "(BODY.PEEK[])")
            for uid in rnd.sample(uids, min(5, len(uids))):
                op("store", conn.uid, "STORE", str(uid), "+FLAGS", "(\\Seen)")
            op("move", conn.uid, "MOVE", str(rnd.choice(uids)), "Archive")
            op("search", conn.uid, "SEARCH", "UNSEEN")
            op("search", conn.uid, "SEARCH", "SUBJECT", "Report")
            op("idle", idle, conn)
            op("logout", conn.logout)
    except (imaplib.IMAP4.error, OSError) as e:  # the server went away: report what was done, and why
        failure = "%s: %s" % (type(e).__name__, e)
    results.put((counts, spent, failure))


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            for line in open("/proc/%d/status" % pid):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pids):
    """CPU time of the processes and of their reaped children (Dovecot's exited imap processes count too)."""
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def dovecot_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = open("/proc/%s/cmdline" % entry, "rb").read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("dovecot") or "/dovecot" in cmd.split(" ")[0] or cmd.startswith("/usr/sbin/dovecot"):
                pids.append(int(entry))
    return pids


def run_workload(server, clients, seconds, pids):
    results = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=client, args=(server, seconds, k, results)) for k in range(clients)]
    start = time.time()
    cpu_before = cpu_seconds(pids())
    peak = 0
    for w in workers:
        w.start()
    totals = dict.fromkeys(OPS, 0)
    spent = dict.fromkeys(OPS, 0.0)
    collected = 0
    while collected < clients:
        try:
            counts, times, failure = results.get(timeout=0.5)
        except Exception:
            peak = max(peak, rss_kib(pids()))
            continue
        collected += 1
        if failure:
            print("%s client failed: %s" % (server.name, failure), flush=True)
        for k in OPS:
            totals[k] += counts[k]
            spent[k] += times[k]
    elapsed = time.time() - start
    cpu = cpu_seconds(pids()) - cpu_before
    for w in workers:
        w.join()
    peak = max(peak, rss_kib(pids()))
    load = open("/proc/loadavg").read().split()[0]  # the machine's 1-minute load average: the run's last minute
    return totals, elapsed, peak, spent, cpu, load


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--loaders", type=int, default=8, help="parallel APPEND connections loading each server")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--dovecot-port", type=int, default=1993)
    parser.add_argument("--dovecot-user", default="testuser9")
    parser.add_argument("--dovecot-password", default="pass")
    parser.add_argument("--only", choices=["MailKeep", "Dovecot"], help="measure one server (while tuning)")
    parser.add_argument("--keep", metavar="DIR", help="MailKeep's work directory (data/, log), kept after the run and reused "
                        "by the next run with the same DIR (a new build migrates it on start)")
    parser.add_argument("--reuse", action="store_true", help="skip loading a server whose INBOX and Archive already hold "
                        "the same generated messages: move them back to INBOX and reset the flags instead")
    parser.add_argument("--raw", action="store_true", help="also time single commands of one client alone (best and median of 5)")
    args = parser.parse_args()
    if args.only != "Dovecot" and not os.path.exists(JAR):
        sys.exit("build MailKeep first (./mailkeep bench builds it)")
    workdir = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="mailkeep-bench-imap-")
    os.makedirs(workdir, exist_ok=True)
    process, mailkeep = start_mailkeep(workdir) if args.only != "Dovecot" else (None, None)
    dovecot = Server("Dovecot", args.dovecot_port, args.dovecot_user, args.dovecot_password)
    try:
        figures = {}
        for server, pids in ((mailkeep, lambda: [process.pid]), (dovecot, dovecot_pids)):
            if server is None or args.only not in (None, server.name):
                continue
            started = time.time()
            if args.reuse and restore_loaded(server, args.messages):
                print("%-8s reused its %d loaded messages (%.1f s)" % (server.name, args.messages, time.time() - started), flush=True)
            else:
                reset_and_load(server, args.messages, args.loaders)
                print("%-8s loaded %d messages in %.1f s" % (server.name, args.messages, time.time() - started), flush=True)
            if args.raw:
                commands = raw_commands(server)
                for text, (best, median, size) in raw_latencies(server, commands).items():
                    print("%-8s one client: %-60s best %7.1f ms  median %7.1f ms  %8d bytes" % (server.name, text[:60], best, median, size),
                          flush=True)
            if args.seconds > 0:
                figures[server.name] = run_workload(server, args.clients, args.seconds, pids)
        names = list(figures)
        if not names:
            return
        print()
        print("%d messages, %d clients, %d s each" % (args.messages, args.clients, args.seconds))
        print("%-14s" % "ops/s (ms/op)" + "".join("%22s" % name for name in names))
        for op in OPS:
            print("%-14s" % op + "".join("%14.1f (%5.0f)" % (figures[n][0][op] / figures[n][1],
                                                             1000 * figures[n][3][op] / max(1, figures[n][0][op])) for n in names))
        total = {name: sum(f[0].values()) / f[1] for name, f in figures.items()}
        print("%-14s" % "total" + "".join("%14.1f%8s" % (total[n], "") for n in names))
        print("%-14s" % "peak RSS MiB" + "".join("%14.1f%8s" % (figures[n][2] / 1024, "") for n in names))
        print("%-14s" % "CPU ms/op" + "".join("%14.2f%8s" % (1000 * figures[n][4] / max(1, sum(figures[n][0].values())), "") for n in names))
        print("%-14s" % "load average" + "".join("%14s%8s" % (figures[n][5], "") for n in names))
        if len(names) == 2:
            print("ratio MailKeep/Dovecot (total ops/s): %.2f" % (total["MailKeep"] / total["Dovecot"]))
    finally:
        if process:
            process.terminate()
            process.wait(30)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
