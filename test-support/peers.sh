#!/bin/bash
# The real third-party programs MailKeep's tests talk to, on loopback only (Debian, no systemd, root).
# usage: peers.sh up|running|check|down      (state + logs under $PEERS, default /tmp/mailkeep-peers)
# 'up' starts every peer whose port does not answer yet, so it is safe to call again; 'running' exits 0 when all answer.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/postfix-services.sh"
PEERS=${PEERS:-/tmp/mailkeep-peers}
cmd=${1:-up}

pf() { script -qec "postfix -c $PEERS/$1/etc $2" /dev/null; }   # tty so postfix prints its errors
waitport() { for _ in $(seq 100); do (exec 3<>/dev/tcp/$1/$2) 2>/dev/null && return 0; sleep 0.1; done; echo "timeout $1:$2" >&2; return 1; }
bg() { local name=$1; shift; ("$@" >"$PEERS/$name.out" 2>&1 & echo $! >"$PEERS/$name.pid"); }

ALL_PORTS="127.0.0.1:1143 127.0.0.1:2525 127.0.0.1:2526 127.0.0.1:2535 127.0.0.1:5353 127.0.0.53:53 127.0.0.1:13310 127.0.0.1:14000"
listening() { (exec 3<>/dev/tcp/$1/$2) 2>/dev/null; }
running() { for hp in $ALL_PORTS; do listening "${hp%:*}" "${hp##*:}" || return 1; done; }

up() {
  if running; then echo "peers already up in $PEERS"; return 0; fi
  down >/dev/null 2>&1 || true
  mkdir -p "$PEERS" && cd "$PEERS"
  # ---------- TLS: one self-signed cert for localhost/127.0.0.1 ----------
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,DNS:mail.example.test,IP:127.0.0.1" \
    -keyout tls.key -out tls.crt 2>/dev/null

  # ---------- Dovecot: IMAP 1143 (STARTTLS), IMAPS 1993, SASL auth 12345 ----------
  mkdir -p dovecot/run dovecot/home && chown nobody:nogroup dovecot/home
  { echo "alice@example.test:{PLAIN}secret:65534:65534::$PEERS/dovecot/home/alice"
    for i in $(seq 1 20); do echo "testuser$i:{PLAIN}pass:65534:65534::$PEERS/dovecot/home/testuser$i"; done; } > dovecot/users
  cat > dovecot/dovecot.conf <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $PEERS/dovecot/run
instance_name = dovecot-test
log_path = $PEERS/dovecot/dovecot.log
default_internal_user = dovecot
default_login_user = dovenull
ssl = yes
ssl_cert = <$PEERS/tls.crt
ssl_key = <$PEERS/tls.key
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1000
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $PEERS/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $PEERS/dovecot/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 1143
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = 1993
    ssl = yes
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = 12345
  }
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
EOF
  bg dovecot dovecot -F -c "$PEERS/dovecot/dovecot.conf"
  waitport 127.0.0.1 1143

  # ---------- Postfix #1: MX target 2525 (catch-all maildir) + submission 2587 (STARTTLS+AUTH via Dovecot) ----------
  mkdir -p pf-in/etc pf-in/spool pf-in/data pf-in/vmail && chown postfix pf-in/data && chown nobody:nogroup pf-in/vmail
  cat > pf-in/etc/main.cf <<EOF
compatibility_level = 3.6
myhostname = mx.example.net
queue_directory = $PEERS/pf-in/spool
data_directory = $PEERS/pf-in/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file_prefixes = $PEERS
maillog_file = $PEERS/pf-in/maillog
virtual_mailbox_domains = example.net, example.org
virtual_mailbox_base = $PEERS/pf-in/vmail
virtual_mailbox_maps = static:catchall/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_tls_security_level = may
smtpd_tls_cert_file = $PEERS/tls.crt
smtpd_tls_key_file = $PEERS/tls.key
smtp_dns_support_level = disabled
default_transport = error:external delivery disabled in test
relay_transport = error:external delivery disabled in test
EOF
  cat > pf-in/etc/master.cf <<'EOF'
127.0.0.1:2525 inet n - n - - smtpd
127.0.0.1:2587 inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_type=dovecot
  -o smtpd_sasl_path=inet:127.0.0.1:12345
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
EOF
  postfix_services >> pf-in/etc/master.cf
  pf pf-in check && pf pf-in start
  waitport 127.0.0.1 2525

  # ---------- Postfix #2: relay client, accepts on 2526, relays to RELAYHOST with SASL ----------
  mkdir -p pf-out/etc pf-out/spool pf-out/data && chown postfix pf-out/data
  sed -e "s#pf-in#pf-out#g" -e '/^virtual_/d' -e '/_transport =/d' -e 's/^myhostname = .*/myhostname = relay-client.example.com/' pf-in/etc/main.cf > pf-out/etc/main.cf
  cat >> pf-out/etc/main.cf <<EOF
relayhost = ${RELAYHOST:-[127.0.0.1]:2587}
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = inline:{ ${RELAYHOST:-[127.0.0.1]:2587}=${RELAYUSER:-alice@example.test}:${RELAYPASS:-secret} }
smtp_sasl_security_options = noanonymous
smtp_tls_security_level = may
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
EOF
  sed -e '/^127.0.0.1:2587/,/^  -o smtpd_relay/d' -e 's/^127.0.0.1:2525 /127.0.0.1:2526 /' pf-in/etc/master.cf > pf-out/etc/master.cf
  pf pf-out check && pf pf-out start
  waitport 127.0.0.1 2526

  # ---------- outbound (issue 4): Postfix #3 on 2535, a remote MX that refuses our IP for its reputation ----------
  # Answers RCPT with the Spamhaus form of a 554 5.7.1, so relay fallback can be tested against a real Postfix.
  mkdir -p pf-rep/etc pf-rep/spool pf-rep/data && chown postfix pf-rep/data
  sed -e "s#pf-in#pf-rep#g" -e 's/^myhostname = .*/myhostname = mx-reputation.example.net/' pf-in/etc/main.cf > pf-rep/etc/main.cf
  echo "127.0.0.1 554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1" > pf-rep/etc/reputation
  echo "smtpd_client_restrictions = check_client_access texthash:$PEERS/pf-rep/etc/reputation" >> pf-rep/etc/main.cf
  sed -e '/^127.0.0.1:2587/,/^  -o smtpd_relay/d' -e 's/^127.0.0.1:2525 /127.0.0.1:2535 /' pf-in/etc/master.cf > pf-rep/etc/master.cf
  pf pf-rep check && pf pf-rep start
  waitport 127.0.0.1 2535

  # ---------- bind9: authoritative example.test + zen.test on 127.0.0.1:5353, TSIG updates ----------
  mkdir -p bind && rm -f bind/*.jnl && tsig-keygen -a hmac-sha256 ddns-key > bind/ddns.key
  cat > bind/named.conf <<EOF
include "$PEERS/bind/ddns.key";
options { directory "$PEERS/bind"; pid-file "$PEERS/bind/named.pid"; session-keyfile "$PEERS/bind/session.key";
  listen-on port 5353 { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; dnssec-validation no; notify no; };
controls { };
zone "example.test" { type primary; file "example.test.db"; update-policy { grant ddns-key zonesub ANY; }; };
zone "zen.test" { type primary; file "zen.test.db"; };
zone "example.net" { type primary; file "example.net.db"; };
EOF
  cat > bind/example.test.db <<'EOF'
$TTL 60
@       IN SOA  ns1.example.test. hostmaster.example.test. 1 60 60 3600 60
@       IN NS   ns1.example.test.
ns1     IN A    127.0.0.1
@       IN MX   10 mail.example.test.
mail    IN A    127.0.0.1
@       IN TXT  "v=spf1 ip4:127.0.0.0/8 ip4:192.0.2.0/24 -all"
EOF
  cat > bind/example.net.db <<'EOF'
$TTL 60
@       IN SOA  ns1.example.net. hostmaster.example.net. 1 60 60 3600 60
@       IN NS   ns1.example.net.
ns1     IN A    127.0.0.1
@       IN MX   10 mx.example.net.
mx      IN A    127.0.0.1
@       IN TXT  "v=spf1 ip4:127.0.0.0/8 -all"
_dmarc  IN TXT  "v=DMARC1; p=reject"
EOF
  cat > bind/zen.test.db <<'EOF'
$TTL 60
@          IN SOA ns1.zen.test. hostmaster.zen.test. 1 60 60 3600 60
@          IN NS  ns1.zen.test.
ns1        IN A   127.0.0.1
2.0.0.127  IN A   127.0.0.2
2.0.0.127  IN TXT "listed (RFC 5782 test entry)"
EOF
  inbound_zones   # issue 5: sender domains for the inbound policy tests
  bg named named -g -n 1 -c "$PEERS/bind/named.conf"
  waitport 127.0.0.1 5353

  # ---------- unbound on 127.0.0.53:53: stub to bind9, nothing leaves loopback ----------
  mkdir -p unbound && cat > unbound/unbound.conf <<EOF
server:
  interface: 127.0.0.53@53
  do-ip6: no
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$PEERS/unbound"
  pidfile: ""
  use-syslog: no
  num-threads: 1
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  local-zone: "test." nodefault
  module-config: "iterator"
remote-control:
  control-enable: no
stub-zone:
  name: "example.test"
  stub-addr: 127.0.0.1@5353
stub-zone:
  name: "zen.test"
  stub-addr: 127.0.0.1@5353
stub-zone:
  name: "example.net"
  stub-addr: 127.0.0.1@5353
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@5353
EOF
  echo "nameserver 127.0.0.53" > resolv.conf
  bg unbound unbound -d -c "$PEERS/unbound/unbound.conf"
  waitport 127.0.0.53 53

  # ---------- clamd on 127.0.0.1:13310 with a self-made EICAR signature only ----------
  mkdir -p clamav/db clamav/tmp
  echo "Test.EICAR.NDB:0:*:$(printf '%s' 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | xxd -p | tr -d '\n')" > clamav/db/test.ndb
  printf 'Foreground yes\nDatabaseDirectory %s/clamav/db\nTemporaryDirectory %s/clamav/tmp\nTCPSocket 13310\nTCPAddr 127.0.0.1\nLogFile %s/clamav/clamd.log\nSelfCheck 0\nMaxThreads 4\n' "$PEERS" "$PEERS" "$PEERS" > clamav/clamd.conf
  bg clamd clamd --config-file="$PEERS/clamav/clamd.conf"
  waitport 127.0.0.1 13310

  # ---------- pebble ACME 14000 (mgmt 15000) + challtestsrv (DNS 8053, mgmt 8055) ----------
  mkdir -p pebble && cat > pebble/config.json <<EOF
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
  "certificate": "$PEERS/tls.crt", "privateKey": "$PEERS/tls.key",
  "httpPort": ${PEBBLE_HTTP_PORT:-5002}, "tlsPort": ${PEBBLE_TLS_PORT:-5001}, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
EOF
  bg challtestsrv pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 127.0.0.1:8053 \
     -http01 "" -https01 "" -tlsalpn01 "" -management 127.0.0.1:8055
  waitport 127.0.0.1 8055
  bg pebble env PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 pebble -config "$PEERS/pebble/config.json" -dnsserver "${PEBBLE_DNS:-127.0.0.1:8053}"
  waitport 127.0.0.1 14000
  echo "peers up in $PEERS"
}

# ---------- inbound policy (issue 5): sender domains with SPF/DKIM/DMARC records for the SPF/DMARC tests ----------
# Adds zones to bind/named.conf (idempotent). Sender IPs in the tests are 192.0.2.x (allowed) and 198.51.100.x (not):
# spfquery and real SPF implementations treat 127.0.0.1 specially. Load into a running BIND with: peers.sh inbound_zones
# then restart only named (its pid file is bind/named.pid).
inbound_zones() {
  mkdir -p "$PEERS/bind" && cd "$PEERS/bind"
  [ -f inbound-dkim.key ] || openssl genrsa -out inbound-dkim.key 2048 2>/dev/null
  local dkim; dkim=$(openssl rsa -in inbound-dkim.key -pubout -outform DER 2>/dev/null | base64 -w0)
  zone() { # name, extra records...
    local name=$1; shift
    { printf '$TTL 60\n@ IN SOA ns1.%s. hostmaster.%s. 1 60 60 3600 60\n@ IN NS ns1.%s.\nns1 IN A 127.0.0.1\n' "$name" "$name" "$name"
      printf '%s\n' "$@"; } > "inbound-$name.db"
    grep -q "zone \"$name\"" named.conf || echo "zone \"$name\" { type primary; file \"inbound-$name.db\"; };" >> named.conf
  }
  local key="sel._domainkey IN TXT ( \"v=DKIM1; k=rsa; \" \"p=${dkim:0:200}\" \"${dkim:200}\" )"
  zone spf-pass.test '@ IN TXT "v=spf1 ip4:192.0.2.0/24 -all"' '_dmarc IN TXT "v=DMARC1; p=reject"' "$key"
  zone spf-fail.test '@ IN TXT "v=spf1 ip4:198.51.100.0/24 -all"'
  zone spf-softfail.test '@ IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"'
  zone spf-neutral.test '@ IN TXT "v=spf1 ?all"'
  zone spf-none.test '@ IN A 192.0.2.1'
  zone spf-permerror.test '@ IN TXT "v=spf1 ip4:192.0.2.0/24 frobnicate:x.test -all"'
  zone spf-include.test '@ IN TXT "v=spf1 include:spf-fail.test a:host.spf-include.test mx include:%{o}.macro.spf-include.test -all"' \
       'host IN A 192.0.2.77' '@ IN MX 10 mx.spf-include.test.' 'mx IN A 203.0.113.25' \
       'spf-include.test.macro IN TXT "v=spf1 exists:%{i}.ip.spf-include.test -all"' '192.0.2.99.ip IN A 127.0.0.2'
  zone spf-void.test '@ IN TXT "v=spf1 a:nx1.spf-void.test a:nx2.spf-void.test a:nx3.spf-void.test ip4:192.0.2.0/24 -all"'
  zone spf-loop.test '@ IN TXT "v=spf1 include:spf-loop.test -all"'
  zone dmarc-reject.test '@ IN TXT "v=spf1 ip4:198.51.100.0/24 -all"' '_dmarc IN TXT "v=DMARC1; p=reject"' "$key"
  zone dmarc-quarantine.test '@ IN TXT "v=spf1 ip4:198.51.100.0/24 -all"' '_dmarc IN TXT "v=DMARC1; p=quarantine"'
  zone dmarc-sub.test '@ IN TXT "v=spf1 -all"' '_dmarc IN TXT "v=DMARC1; p=none; sp=reject"' 'child IN TXT "v=spf1 ip4:198.51.100.0/24 -all"'
  cd - >/dev/null
}

check() {
  cd "$PEERS"
  swaks --server 127.0.0.1:2587 --tls --tls-verify --tls-ca-path tls.crt --auth PLAIN --auth-user alice@example.test \
        --auth-password secret --from alice@example.test --to bob@example.net --silent 2 && echo "OK submission+MX"
  swaks --server 127.0.0.1:2526 --from alice@example.test --to carol@example.org --silent 2 && echo "OK relay client accepted"
  curl -sS --ssl-reqd --cacert tls.crt --user alice@example.test:secret imap://localhost:1143/INBOX -X 'EXAMINE INBOX' | grep -q EXISTS && echo "OK imap"
  [ "$(dig +short -p 5353 @127.0.0.1 2.0.0.127.zen.test)" = 127.0.0.2 ] && echo "OK bind9"
  [ "$(dig +short @127.0.0.53 example.test MX)" = "10 mail.example.test." ] && echo "OK unbound"
  { printf 'zINSTREAM\0'; printf '\0\0\0\x44'; printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; printf '\0\0\0\0'; } \
    | nc -q2 127.0.0.1 13310 | tr -d '\0' | grep -q FOUND && echo "OK clamd"
  curl -sS --cacert tls.crt https://localhost:14000/dir | grep -q newOrder && echo "OK pebble"
  sleep 2; echo "MX maildir: $(ls pf-in/vmail/catchall/new | wc -l) msgs"
}

down() {
  cd "$PEERS" || return 0
  for i in pf-in pf-out pf-rep; do [ -f $i/etc/main.cf ] && pf $i stop || true; done
  local pids=()
  for n in pebble challtestsrv clamd unbound named dovecot; do
    [ -f $n.pid ] && { pids+=("$(cat $n.pid)"); kill "$(cat $n.pid)" 2>/dev/null; }; rm -f $n.pid
  done
  for _ in $(seq 50); do   # wait until every peer has really exited, so a following 'up' finds its ports free
    alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  echo "peers down"
}

"$cmd"
