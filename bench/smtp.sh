#!/bin/bash
# ./mailkeep bench smtp — MailKeep's MX against Postfix delivering through dovecot-lda into a Maildir, on this
# machine, same load (smtp-source: SESSIONS parallel sessions, MESSAGES messages of SIZE octets, one message per
# connection as MTAs mostly send), alternating sides for ROUNDS rounds. Both sides are durable: MailKeep fsyncs
# file and index before "250"; Postfix fsyncs its queue file before "250" and dovecot-lda fsyncs the delivered mail.
# Prints messages/s of each side, the ratio, and the peak RSS of each side (sum over a side's processes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SESSIONS=${SESSIONS:-10} MESSAGES=${MESSAGES:-2000} SIZE=${SIZE:-10240} ROUNDS=${ROUNDS:-2}
JAR=appliance/target/quarkus-app/quarkus-run.jar
WORK=$(mktemp -d /tmp/mailkeep-bench-XXXXXX)
chmod 755 "$WORK"
PY=/usr/bin/python3
freeport() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 does not answer" >&2; return 1; }
for tool in smtp-source postfix /usr/lib/dovecot/dovecot-lda curl java; do
  command -v "$tool" >/dev/null || { echo "bench smtp needs $tool (./mailkeep test installs the peers)" >&2; exit 1; }
done
[ -f "$JAR" ] || ./mvnw -B -q -ntp package -DskipTests

MK_SMTP=$(freeport) MK_HTTP=$(freeport) PF_SMTP=$(freeport)
JAVA_PID= PF_STARTED=
cleanup() {
  [ -n "$JAVA_PID" ] && kill "$JAVA_PID" 2>/dev/null && wait "$JAVA_PID" 2>/dev/null || true
  [ -n "$PF_STARTED" ] && test-support/postfix-instance.sh stop "$WORK/pf" || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# ---- MailKeep: packaged appliance, its own data dir and ports, one mailbox ----
echo "starting MailKeep (data in $WORK/mk)"
MAILKEEP_DATA_DIR=$WORK/mk/data MAILKEEP_BIND=127.0.0.1 MAILKEEP_SMTP_PORT=$MK_SMTP MAILKEEP_SUBMISSION_PORT=0 \
MAILKEEP_SUBMISSIONS_PORT=0 MAILKEEP_IMAP_PORT=0 MAILKEEP_IMAPS_PORT=0 QUARKUS_HTTP_PORT=$MK_HTTP QUARKUS_HTTP_SSL_PORT=0 \
MAILKEEP_HARDWARE=none MAILKEEP_SMTP_LIMITS_GREETING_DELAY=0s MAILKEEP_SMTP_LIMITS_MAX_CONNECTIONS_PER_IP=100 \
  java ${MAILKEEP_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC} -jar "$JAR" >"$WORK/mailkeep.log" 2>&1 &
JAVA_PID=$!
waitport "$MK_HTTP"; waitport "$MK_SMTP"
TOKEN=$(cat "$WORK/mk/data/setup-token")
curl -sf -H 'Content-Type: application/json' -d "{\"token\":\"$TOKEN\",\"domain\":\"bench.test\",\"hostname\":\"mail.bench.test\",\"adminPassword\":\"bench-admin-password\"}" \
  "http://127.0.0.1:$MK_HTTP/api/setup" >/dev/null
curl -sf -u admin:bench-admin-password -H 'Content-Type: application/json' -d '{"address":"user@bench.test","password":"bench-user-password"}' \
  "http://127.0.0.1:$MK_HTTP/api/mailboxes" >/dev/null

# ---- Postfix -> pipe -> dovecot-lda -> Maildir ----
echo "starting Postfix + dovecot-lda (in $WORK/pf)"
mkdir -p "$WORK/lda/run" "$WORK/lda/Maildir"
chown -R nobody:nogroup "$WORK/lda"
cat > "$WORK/lda/dovecot.conf" <<EOT
base_dir = $WORK/lda/run
log_path = $WORK/lda/lda.log
mail_location = maildir:$WORK/lda/Maildir
EOT
POSTFIX_MASTER_EXTRA="dovecot   unix  - n n - - pipe
  flags=DRhu user=nobody:nogroup argv=/usr/lib/dovecot/dovecot-lda -c $WORK/lda/dovecot.conf -f \${sender} -a \${recipient}" \
  test-support/postfix-instance.sh start "$WORK/pf" "$PF_SMTP" <<EOT
virtual_mailbox_domains = bench.test
virtual_transport = dovecot
dovecot_destination_recipient_limit = 1
default_process_limit = 100
smtpd_client_connection_count_limit = 100
EOT
PF_STARTED=1
PF_MASTER=$(head -1 "$WORK/pf/spool/pid/master.pid" | tr -d ' ')

# Peak of the summed RSS (KiB) of a process and all its descendants, sampled every 100 ms until the file $2 appears.
sample_rss() {
  local root=$1 stop=$2 peak=0 now
  while [ ! -f "$stop" ]; do
    now=$(ps -e -o pid=,ppid=,rss= | awk -v root="$root" '
      { parent[$1]=$2; rss[$1]=$3 }
      END { for (p in rss) { q=p; while (q != "" && q != 0 && q != 1) { if (q == root) { sum += rss[p]; break } q = parent[q] } } print sum+0 }')
    [ "$now" -gt "$peak" ] && peak=$now
    sleep 0.1
  done
  echo "$peak"
}

mailkeep_count() { $PY - "$WORK/mk/data/mailkeep.db" <<'PYEOF'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM mailbox_messages").fetchone()[0])
PYEOF
}
maildir_count() { { find "$WORK/lda/Maildir/new" "$WORK/lda/Maildir/cur" -type f 2>/dev/null || true; } | wc -l; }

# One round against one side: smtp-source, then wait until every message is in the mailbox; prints "seconds peak_rss_kib".
round() {
  local name=$1 port=$2 root=$3 count=$4 target start end rss
  target=$(( $($count) + MESSAGES ))
  rm -f "$WORK/stop"; sample_rss "$root" "$WORK/stop" > "$WORK/rss" &
  local sampler=$!
  start=$(date +%s.%N)
  smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -M client.bench.test -f sender@client.bench.test -t user@bench.test "127.0.0.1:$port"
  while [ "$($count)" -lt "$target" ]; do sleep 0.05; done
  end=$(date +%s.%N)
  touch "$WORK/stop"; wait "$sampler"
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}') $(cat "$WORK/rss")"
}

calc() { awk "BEGIN{print $1}"; }
mk_time=0 pf_time=0 mk_rss=0 pf_rss=0
for r in $(seq "$ROUNDS"); do
  read -r t rss < <(round MailKeep "$MK_SMTP" "$JAVA_PID" mailkeep_count)
  printf 'round %d  MailKeep          %6.1f s  %7.1f msg/s\n' "$r" "$t" "$(calc "$MESSAGES / $t")"
  mk_time=$(calc "$mk_time + $t"); [ "$rss" -gt "$mk_rss" ] && mk_rss=$rss
  read -r t rss < <(round Postfix "$PF_SMTP" "$PF_MASTER" maildir_count)
  printf 'round %d  Postfix+Dovecot   %6.1f s  %7.1f msg/s\n' "$r" "$t" "$(calc "$MESSAGES / $t")"
  pf_time=$(calc "$pf_time + $t"); [ "$rss" -gt "$pf_rss" ] && pf_rss=$rss
done
mk_rate=$(calc "$ROUNDS * $MESSAGES / $mk_time")
pf_rate=$(calc "$ROUNDS * $MESSAGES / $pf_time")
echo "== smtp-source -s $SESSIONS -m $MESSAGES -l $SIZE, $ROUNDS rounds each, alternating"
printf 'MailKeep MX                  %8.1f msg/s   peak RSS %6d MiB\n' "$mk_rate" $((mk_rss / 1024))
printf 'Postfix + dovecot-lda        %8.1f msg/s   peak RSS %6d MiB\n' "$pf_rate" $((pf_rss / 1024))
printf 'ratio MailKeep / Postfix     %8.2f\n' "$(calc "$mk_rate / $pf_rate")"
