#!/bin/bash
# A private Postfix instance on 127.0.0.1:LISTEN with its own queue under DIR, for tests and benchmarks that need a
# Postfix pointed at ports chosen at run time (peers.sh's instances have fixed ports and relay hosts).
# Extra main.cf settings are read from standard input; extra master.cf lines come from $POSTFIX_MASTER_EXTRA.
#   postfix-instance.sh start DIR LISTEN  < extra-main.cf      e.g. "relayhost = [127.0.0.1]:PORT" to relay into MailKeep
#   postfix-instance.sh stop DIR
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/postfix-services.sh"
cmd=$1 dir=$2
pf() { script -qec "postfix -c $dir/etc $1" /dev/null; }
case "$cmd" in
  start)
    listen=$3
    mkdir -p "$dir/etc" "$dir/spool" "$dir/data" && chown postfix "$dir/data"
    { cat <<EOT
compatibility_level = 3.6
myhostname = relay-$listen.example.net
queue_directory = $dir/spool
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
maillog_file_prefixes = $dir
maillog_file = $dir/maillog
smtpd_relay_restrictions = permit_mynetworks, reject
smtp_dns_support_level = disabled
smtp_tls_security_level = may
queue_run_delay = 1s
EOT
      cat; } > "$dir/etc/main.cf"
    { echo "127.0.0.1:$listen inet n - n - - smtpd"; postfix_services; echo "${POSTFIX_MASTER_EXTRA:-}"; } > "$dir/etc/master.cf"
    pf check && pf start >/dev/null
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$listen) 2>/dev/null && exit 0; sleep 0.1; done
    echo "postfix-instance: 127.0.0.1:$listen does not answer" >&2; exit 1 ;;
  stop) pf stop >/dev/null || true ;;
  *) echo "usage: $0 start DIR LISTEN < extra-main.cf | stop DIR" >&2; exit 2 ;;
esac
