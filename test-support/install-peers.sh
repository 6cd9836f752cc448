#!/usr/bin/env bash
# Installs the real programs the tests talk to, from Debian's packages. Idempotent: does nothing when all are present.
set -euo pipefail
PACKAGES=(postfix libsasl2-modules swaks libnet-ssleay-perl opendkim opendkim-tools python3-dkim pebble
  bind9 bind9-dnsutils unbound clamav-daemon clamdscan dovecot-imapd dovecot-lmtpd curl isync offlineimap3 mutt
  fetchmail spfquery python3-spf netcat-openbsd tmux xxd gnupg openssl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing test peers: ${missing[*]}"
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
