#!/usr/bin/env python3
"""Builds MailKeep's AppCDS archive (JDK 13+ dynamic CDS; the image's JDK 17 and 21 have it) by a training run.

  image-build/appcds.py QUARKUS_APP_DIR ARCHIVE.jsa [JVM options...]

Starts QUARKUS_APP_DIR/quarkus-run.jar with -XX:ArchiveClassesAtExit=ARCHIVE.jsa and the given JVM options (the
image's by default) on a temporary data directory and free loopback ports, walks it through what a box does in its
first minutes (setup, a mailbox, a message over SMTP, an IMAP login and fetch, the admin API), stops it with SIGTERM
and leaves the archive. Start MailKeep with -XX:SharedArchiveFile=ARCHIVE.jsa to map those classes instead of
loading and verifying them: `bench/footprint/run --appcds` measures the effect on start time and resident memory.

The archive only fits the very JVM build and jar that made it (a JDK update or a new jar: the JVM warns and runs
without it), so it must be made with the image's own arm64 JVM: in the image build inside the arm64 root file
system (qemu-user, slow but once), or on the box at first start. Not owned by this script: the image build decides.
"""
import imaplib
import json
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

IMAGE_OPTS = ["-XX:+UseSerialGC", "-Xms32m", "-Xmx256m", "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k",
              "-XX:-UsePerfData"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, body=None, auth=None):
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    if auth:
        import base64
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    app, archive, opts = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:] or IMAGE_OPTS
    work = tempfile.mkdtemp(prefix="mailkeep-appcds-")
    http, smtp, imaps = free_port(), free_port(), free_port()
    env = dict(os.environ, MAILKEEP_DATA_DIR=work, MAILKEEP_BIND="127.0.0.1", MAILKEEP_SMTP_PORT=str(smtp), MAILKEEP_IMAPS_PORT=str(imaps),
               MAILKEEP_SUBMISSION_PORT="0", MAILKEEP_SUBMISSIONS_PORT="0", MAILKEEP_IMAP_PORT="0", QUARKUS_HTTP_PORT=str(http),
               QUARKUS_HTTP_SSL_PORT="0", MAILKEEP_HARDWARE="none", QUARKUS_PROFILE="local", MAILKEEP_SMTP_LIMITS_GREETING_DELAY="0s",
               MAILKEEP_DNS_SERVERS="127.0.0.1:1")  # no lookup leaves the machine (a closed port fails at once)
    java = ["java"] + opts + ["-XX:ArchiveClassesAtExit=" + archive, "-jar", os.path.join(app, "quarkus-run.jar")]
    process = subprocess.Popen(java, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        base = "http://127.0.0.1:%d" % http
        deadline = time.time() + 900  # under qemu-user or on a busy machine the start takes minutes
        while True:
            try:
                call(base + "/q/health/live")
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    sys.exit("MailKeep did not start for the training run")
                time.sleep(0.1)
        token = open(os.path.join(work, "setup-token")).read().strip()
        admin = "admin:training-admin-password"
        call(base + "/api/setup", {"token": token, "domain": "training.test", "hostname": "mail.training.test",
                                   "adminPassword": admin.split(":", 1)[1]})
        call(base + "/api/mailboxes", {"address": "user@training.test", "password": "training-password-1"}, auth=admin)
        for path in ("/api/status", "/api/mailboxes", "/api/queue", "/q/metrics", "/"):
            call(base + path, auth=admin)
        with smtplib.SMTP("127.0.0.1", smtp, timeout=60) as client:
            client.sendmail("someone@example.net", ["user@training.test"], b"Subject: training\r\n\r\nhello\r\n")
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        conn = imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=context)
        conn.login("user@training.test", "training-password-1")
        conn.select("INBOX")
        conn.fetch("1:*", "(FLAGS ENVELOPE BODYSTRUCTURE BODY.PEEK[])")
        conn.search(None, "UNSEEN")
        conn.logout()
    finally:
        process.terminate()
        process.wait(900)  # the JVM writes the archive as it exits
        shutil.rmtree(work, ignore_errors=True)
    if not os.path.exists(archive):
        sys.exit("the JVM wrote no archive at " + archive)
    print("AppCDS archive %s (%d MiB): run with -XX:SharedArchiveFile=%s" % (archive, os.path.getsize(archive) >> 20, archive))


if __name__ == "__main__":
    main()
