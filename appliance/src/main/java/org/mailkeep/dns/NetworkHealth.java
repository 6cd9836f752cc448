package org.mailkeep.dns;

import jakarta.inject.Singleton;
import org.mailkeep.box.HealthCheck;

/** The network self-checks as health checks; each reports the last result of {@link NetworkChecker} (singletons: nothing to proxy). */
public final class NetworkHealth {

    private NetworkHealth() {
    }

    abstract static class Base implements HealthCheck {
        final NetworkStatus status;

        Base(NetworkStatus status) {
            this.status = status;
        }
    }

    @Singleton
    public static class PublicAddress extends Base {
        public PublicAddress(NetworkStatus status) {
            super(status);
        }

        @Override
        public Result check() {
            NetworkStatus.Snapshot s = status.last();
            if (s.checkedAt() == null) {
                return Result.ok("public-ip", "not checked yet");
            }
            if (s.ipv4().isEmpty() && s.ipv6().isEmpty()) {
                return Result.warning("public-ip", "the public IP address is unknown (no echo endpoint or DDNS answer)");
            }
            return Result.ok("public-ip", "public address " + s.ipv4().orElse("") + " " + s.ipv6().orElse("") + " (" + s.addressSource() + ")");
        }
    }

    @Singleton
    public static class Port25 extends Base {
        public Port25(NetworkStatus status) {
            super(status);
        }

        @Override
        public Result check() {
            return switch (status.last().port25()) {
                case UNKNOWN -> Result.ok("port25", "outbound port 25 not checked");
                case REACHABLE -> Result.ok("port25", "outbound port 25 is open");
                case BLOCKED -> Result.warning("port25", "outbound port 25 is blocked by the network: mail to other servers needs a relay (smarthost)");
            };
        }
    }

    @Singleton
    public static class Blocklist extends Base {
        public Blocklist(NetworkStatus status) {
            super(status);
        }

        @Override
        public Result check() {
            NetworkStatus.Snapshot s = status.last();
            if (s.blocklistedOn().isEmpty()) {
                return Result.ok("blocklist", s.ipv4().isPresent() ? s.ipv4().get() + " is on no policy blocklist checked" : "not checked");
            }
            return Result.warning("blocklist", s.ipv4().orElse("?") + " is listed as a dynamic/residential address on "
                    + String.join(", ", s.blocklistedOn()) + ": many receivers refuse direct mail from it; use a relay");
        }
    }

    @Singleton
    public static class ReverseDns extends Base {
        public ReverseDns(NetworkStatus status) {
            super(status);
        }

        @Override
        public Result check() {
            NetworkStatus.Snapshot s = status.last();
            if (s.reverseDnsMatches().isEmpty()) {
                return Result.ok("reverse-dns", "not checked");
            }
            return s.reverseDnsMatches().get()
                    ? Result.ok("reverse-dns", "reverse DNS of " + s.ipv4().orElse("") + " is " + s.reverseDns().orElse(""))
                    : Result.warning("reverse-dns", "reverse DNS of " + s.ipv4().orElse("") + " is "
                    + s.reverseDns().orElse("not set") + ", not the mail host name: ask your ISP for the PTR record");
        }
    }
}
