"""Private servers for the benchmarks: the packaged MailKeep, and a Postfix + Dovecot (+ OpenDKIM) stack doing the
same job, each with its own directory and free loopback ports (never the shared test peers), plus what the
benchmarks measure of a process tree: resident memory and CPU time.

Used by bench/smtp/run and bench/memory/run.
"""
import base64
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.environ.get("MAILKEEP_BENCH_JAR") or os.path.join(ROOT, "appliance/target/quarkus-app/quarkus-run.jar")
# the JVM options of the image (image-build/README.md): what a Raspberry Pi runs
IMAGE_JAVA_OPTS = ["-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m",
                   "-Xss512k", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
ADMIN = ("admin", "bench-admin-password")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d does not answer" % port)


def post(url, body, auth=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode())
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


# ---------------------------------------------------------------- process trees

def _processes():
    """pid -> (ppid, rss bytes, cpu seconds of itself and its reaped children)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state (stat field 3): ppid is field 4, utime..cstime 14-17, rss 24
        table[int(entry)] = (int(fields[1]), int(fields[21]) * PAGE, sum(int(x) for x in fields[11:15]) / CLK_TCK)
    return table


def _tree(table, roots):
    members = set()
    for pid in table:
        p = pid
        while p > 1 and p in table:
            if p in roots:
                members.add(pid)
                break
            p = table[p][0]
    return members


def tree_rss(roots):
    """Summed resident memory of the processes under {@code roots} (shared pages count once per process, like ps)."""
    table = _processes()
    return sum(table[p][1] for p in _tree(table, set(roots)))


def _pss(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_pss(roots):
    """Summed proportional set size of the processes under {@code roots}: a page shared by n processes counts 1/n in
    each, so a hundred smtpd processes sharing libc are not counted a hundred times (the fair figure for many processes;
    for one JVM it is about its RSS)."""
    table = _processes()
    return sum(_pss(p) for p in _tree(table, set(roots)))


def tree_cpu(roots):
    """CPU seconds used so far by the trees under {@code roots}: each live process's own time plus that of the children
    it reaped (a finished smtpd, dovecot-lda or lmtp is counted in its parent's cutime/cstime)."""
    table = _processes()
    return sum(table[p][2] for p in _tree(table, set(roots)))


class PeakRss:
    """Samples a tree's RSS and PSS every 100 ms in a thread; stop() answers the peaks (rss, pss) since creation."""

    def __init__(self, roots):
        import threading
        self.roots, self.value, self.pss, self.running = roots, 0, 0, True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            self.value = max(self.value, tree_rss(self.roots))
            self.pss = max(self.pss, tree_pss(self.roots))
            time.sleep(0.1)

    def stop(self):
        self.running = False
        self.thread.join()
        return self.value, self.pss


# ---------------------------------------------------------------- MailKeep

class MailKeep:
    """The packaged appliance with its own data directory and ports, set up with domain bench.test."""

    def __init__(self, workdir, java_opts=None, smtp=True, imap=True, env=None):
        self.dir = os.path.join(workdir, "mailkeep")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data, exist_ok=True)
        self.http, self.smtp, self.imaps = free_port(), free_port() if smtp else 0, free_port() if imap else 0
        environment = dict(os.environ, MAILKEEP_DATA_DIR=self.data, MAILKEEP_BIND="127.0.0.1", MAILKEEP_SMTP_PORT=str(self.smtp),
                           MAILKEEP_SUBMISSION_PORT="0", MAILKEEP_SUBMISSIONS_PORT="0", MAILKEEP_IMAP_PORT="0",
                           MAILKEEP_IMAPS_PORT=str(self.imaps), QUARKUS_HTTP_PORT=str(self.http), QUARKUS_HTTP_SSL_PORT="0",
                           MAILKEEP_HARDWARE="none", QUARKUS_PROFILE="local", MAILKEEP_DNS_SERVERS="127.0.0.1:5353",
                           MAILKEEP_SMTP_LIMITS_GREETING_DELAY="0s", MAILKEEP_SMTP_LIMITS_MAX_CONNECTIONS_PER_IP="2000",
                           MAILKEEP_IMAP_SERVER_MAX_CONNECTIONS="2000", MAILKEEP_IMAP_SERVER_MAX_CONNECTIONS_PER_IP="2000",
                           **(env or {}))
        opts = java_opts if java_opts is not None else IMAGE_JAVA_OPTS + os.environ.get("MAILKEEP_BENCH_JAVA_OPTS", "").split()
        self.log = os.path.join(self.dir, "mailkeep.log")
        started = time.time()
        self.process = subprocess.Popen(["java"] + opts + ["-jar", JAR], env=environment, stdout=open(self.log, "w"),
                                        stderr=subprocess.STDOUT)
        self.wait_ready()
        self.start_seconds = time.time() - started
        self.pid = self.process.pid

    def wait_ready(self):
        deadline = time.time() + 300  # a loaded shared machine starts it slowly
        while time.time() < deadline:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/q/health/ready" % self.http, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # answering (a feature not ready yet, e.g. before setup) is started
            except OSError:
                if self.process.poll() is not None:
                    sys.exit("MailKeep exited; see " + self.log)
                time.sleep(0.05)
        self.process.kill()
        sys.exit("MailKeep did not start; see " + self.log)

    def set_up(self, users):
        token = open(os.path.join(self.data, "setup-token")).read().strip()
        url = "http://127.0.0.1:%d/api" % self.http
        post(url + "/setup", {"token": token, "domain": "bench.test", "hostname": "mail.bench.test", "adminPassword": ADMIN[1]})
        for user, password in users:
            post(url + "/mailboxes", {"address": user, "password": password}, auth=ADMIN)

    def message_count(self):
        import sqlite3
        with sqlite3.connect("file:%s?mode=ro" % os.path.join(self.data, "mailkeep.db"), uri=True) as db:
            return db.execute("SELECT COUNT(*) FROM mailbox_messages").fetchone()[0]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ---------------------------------------------------------------- Postfix + Dovecot (+ OpenDKIM)

class Dovecot:
    """A private Dovecot 2.3: LMTP (and optionally IMAPS) on free ports, one Maildir per user under its directory."""

    def __init__(self, workdir, users, imap=False, lmtp=True, extra=""):
        self.dir = os.path.join(workdir, "dovecot")
        os.makedirs(os.path.join(self.dir, "run"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "home"), exist_ok=True)
        shutil.chown(os.path.join(self.dir, "home"), "nobody", "nogroup")
        uid = pwd.getpwnam("nobody").pw_uid
        gid = pwd.getpwnam("nobody").pw_gid
        with open(os.path.join(self.dir, "users"), "w") as f:
            for user, password in users:
                f.write("%s:{PLAIN}%s:%d:%d::%s/home/%s\n" % (user, password, uid, gid, self.dir, user))
        self.users = users
        self.lmtp = free_port() if lmtp else 0
        self.imaps = free_port() if imap else 0
        cert = os.path.join(self.dir, "tls")
        if imap:
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                            "-keyout", cert + ".key", "-out", cert + ".crt"], check=True, capture_output=True)
        protocols = " ".join(p for p, on in (("lmtp", lmtp), ("imap", imap)) if on)
        conf = """protocols = %(protocols)s
listen = 127.0.0.1
base_dir = %(dir)s/run
instance_name = bench-%(port)d
log_path = %(dir)s/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
ssl = %(ssl)s
%(sslfiles)s
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %(dir)s/users
}
userdb {
  driver = passwd-file
  args = username_format=%%u %(dir)s/users
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %(lmtp)d
  }
  unix_listener lmtp {
    mode = 0600
  }
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %(imaps)d
    ssl = yes
  }
}
""" % {"protocols": protocols, "dir": self.dir, "port": self.lmtp or self.imaps, "lmtp": self.lmtp, "imaps": self.imaps,
       "ssl": "yes" if imap else "no",
       "sslfiles": ("ssl_cert = <%s.crt\nssl_key = <%s.key\nssl_dh = </usr/share/dovecot/dh.pem" % (cert, cert)) if imap else ""}
        self.conf = os.path.join(self.dir, "dovecot.conf")
        open(self.conf, "w").write(conf + extra)
        self.process = subprocess.Popen(["dovecot", "-F", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        for port in (self.lmtp, self.imaps):
            if port:
                wait_port(port)

    def maildir(self, user):
        return os.path.join(self.dir, "home", user, "Maildir")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


class OpenDkim:
    """A private OpenDKIM milter on a free port signing for bench.test and verifying the rest (what MailKeep's DKIM does)."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "opendkim")
        os.makedirs(self.dir, exist_ok=True)
        subprocess.run(["opendkim-genkey", "-D", self.dir, "-d", "bench.test", "-s", "bench"], check=True, capture_output=True)
        shutil.chown(os.path.join(self.dir, "bench.private"), "opendkim")
        self.port = free_port()
        self.pidfile = os.path.join(self.dir, "opendkim.pid")
        open(os.path.join(self.dir, "opendkim.conf"), "w").write(
            "Domain bench.test\nSelector bench\nKeyFile %s/bench.private\nSocket inet:%d@127.0.0.1\nMode sv\nUserID opendkim\n"
            "PidFile %s\nBackground no\nSyslog no\nDNSTimeout 1\nNameservers 127.0.0.1\n"
            "RequireSafeKeys no\n" % (self.dir, self.port, self.pidfile))  # its key lies under /tmp, which everyone may write
        shutil.chown(self.dir, "opendkim")
        self.process = subprocess.Popen(["opendkim", "-f", "-x", os.path.join(self.dir, "opendkim.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        wait_port(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


def maildir_count(maildir):
    return sum(len(os.listdir(os.path.join(maildir, d))) for d in ("new", "cur") if os.path.isdir(os.path.join(maildir, d)))


class Postfix:
    """A private Postfix (test-support/postfix-instance.sh) accepting bench.test on a free port and delivering by
    {@code transport}: "lmtp" to a Dovecot's LMTP listener, or "lda" through a pipe to dovecot-lda (a fork per message)."""

    def __init__(self, workdir, name, transport, dovecot=None, milter_port=0):
        self.dir = os.path.join(workdir, name)
        self.port = free_port()
        extra = ["virtual_mailbox_domains = bench.test", "default_process_limit = 100", "smtpd_client_connection_count_limit = 0",
                 "smtpd_client_connection_rate_limit = 0"]
        master = "lmtp      unix  - - n - - lmtp\n"
        if transport == "lmtp":
            extra += ["virtual_transport = lmtp:inet:127.0.0.1:%d" % dovecot.lmtp]
        else:
            # dovecot-lda run by Postfix's pipe(8) as nobody into a Maildir of this instance (no userdb lookup: -a only)
            lda = os.path.join(workdir, name + "-lda")
            for d in ("run", "Maildir"):
                os.makedirs(os.path.join(lda, d), exist_ok=True)
                shutil.chown(os.path.join(lda, d), "nobody", "nogroup")
            shutil.chown(lda, "nobody", "nogroup")
            self.maildir = os.path.join(lda, "Maildir")
            lda_conf = os.path.join(lda, "lda.conf")
            open(lda_conf, "w").write("base_dir = %s/run\nlog_path = %s/lda.log\nmail_location = maildir:%s\n" % (lda, lda, self.maildir))
            extra += ["virtual_transport = dovecot", "dovecot_destination_recipient_limit = 1"]
            master += ("dovecot   unix  - n n - - pipe\n  flags=DRhu user=nobody:nogroup argv=/usr/lib/dovecot/dovecot-lda -c %s "
                      "-f ${sender} -a ${recipient}" % lda_conf)
        if milter_port:
            extra += ["smtpd_milters = inet:127.0.0.1:%d" % milter_port, "milter_default_action = accept"]
        env = dict(os.environ, POSTFIX_MASTER_EXTRA=master)
        subprocess.run([os.path.join(ROOT, "test-support/postfix-instance.sh"), "start", self.dir, str(self.port)],
                       input="\n".join(extra) + "\n", text=True, env=env, check=True, stdout=subprocess.DEVNULL)
        self.pid = int(open(os.path.join(self.dir, "spool/pid/master.pid")).read().split()[0])

    def stop(self):
        subprocess.run([os.path.join(ROOT, "test-support/postfix-instance.sh"), "stop", self.dir], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
