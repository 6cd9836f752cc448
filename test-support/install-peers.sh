#!/usr/bin/env bash
# Installs the real programs the tests talk to, from Debian's packages. Idempotent: does nothing when all are present.
set -euo pipefail
PACKAGES=(postfix libsasl2-modules swaks libnet-ssleay-perl opendkim opendkim-tools python3-dkim pebble
  bind9 bind9-dnsutils unbound clamav-daemon clamdscan dovecot-imapd dovecot-lmtpd curl isync offlineimap3 mutt
  fetchmail spfquery python3-spf netcat-openbsd tmux xxd gnupg openssl
  chromium nodejs)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# the web e2e tests need npm; a nodejs from another source may bring its own, so Debian's only when none is there
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing test peers: ${missing[*]}"
SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
