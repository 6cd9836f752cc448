package org.mailkeep.admin;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mailkeep.admin.AdminAccess.Decision.FORBIDDEN;
import static org.mailkeep.admin.AdminAccess.Decision.HSTS;
import static org.mailkeep.admin.AdminAccess.Decision.PASS;
import static org.mailkeep.admin.AdminAccess.Decision.REDIRECT;

class AdminAccessTest {

    static final Set<String> CA_NAMES = Set.of("mail.example.org", "autoconfig.example.org", "mta-sts.example.org");

    static AdminAccess.Decision decide(String path, InetAddress client, boolean ssl, String host, boolean lanOnly, Set<String> names) {
        return AdminAccess.decide(path, client, ssl, host, () -> lanOnly, () -> names);
    }

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void theAdminPageAnswersOnlyLocalClientsWhileLanOnlyIsOn() throws Exception {
        for (String local : new String[] {"127.0.0.1", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "169.254.3.4", "fe80::1", "fd12:3456::7"}) {
            assertThat(decide("/api/mailboxes", ip(local), false, "192.168.1.2", true, Set.of())).as(local).isEqualTo(PASS);
        }
        for (String remote : new String[] {"203.0.113.7", "8.8.8.8", "2001:db8::1", "100.64.0.1", "172.32.0.1"}) {
            assertThat(decide("/api/mailboxes", ip(remote), true, "mail.example.org", true, CA_NAMES)).as(remote).isEqualTo(FORBIDDEN);
            assertThat(decide("/", ip(remote), true, "mail.example.org", true, CA_NAMES)).as(remote).isEqualTo(FORBIDDEN);
            assertThat(decide("/q/metrics", ip(remote), false, null, true, Set.of())).isEqualTo(FORBIDDEN);
            // the public parts stay public
            assertThat(decide("/.well-known/acme-challenge/abc", ip(remote), false, "mail.example.org", true, CA_NAMES)).isEqualTo(PASS);
            assertThat(decide("/.well-known/mta-sts.txt", ip(remote), true, "mta-sts.example.org", true, CA_NAMES)).isEqualTo(PASS);
            assertThat(decide("/mail/config-v1.1.xml", ip(remote), false, "autoconfig.example.org", true, CA_NAMES)).isEqualTo(PASS);
            assertThat(decide("/AutoDiscover/AutoDiscover.xml", ip(remote), false, "mail.example.org", true, CA_NAMES)).isEqualTo(PASS);
            // switched off by the admin: the whole internet may reach the sign-in page (over HTTPS once a certificate exists)
            assertThat(decide("/api/mailboxes", ip(remote), true, "mail.example.org", false, CA_NAMES)).isEqualTo(HSTS);
        }
    }

    @Test
    void withACaCertificateHttpGoesToHttpsExceptWhatMustStayOnHttp() throws Exception {
        InetAddress lan = ip("192.168.1.20");
        assertThat(decide("/api/status", lan, false, "mail.example.org", true, CA_NAMES)).isEqualTo(REDIRECT);
        assertThat(decide("/", lan, false, "MAIL.example.org", true, CA_NAMES)).isEqualTo(REDIRECT);
        assertThat(decide("/", lan, true, "mail.example.org", true, CA_NAMES)).isEqualTo(HSTS);
        // RFC 8555 §8.3: the CA validates http-01 on port 80; autoconfiguration is fetched over HTTP by mail clients
        assertThat(decide("/.well-known/acme-challenge/tok", lan, false, "mail.example.org", true, CA_NAMES)).isEqualTo(PASS);
        assertThat(decide("/.well-known/autoconfig/mail/config-v1.1.xml", lan, false, "mail.example.org", true, CA_NAMES))
                .isEqualTo(PASS);
        // names the certificate does not cover (the box's IP, mailkeep.local) and the self-signed certificate: no redirect, no HSTS
        assertThat(decide("/", lan, false, "192.168.1.2", true, CA_NAMES)).isEqualTo(PASS);
        assertThat(decide("/", lan, false, "mailkeep.local", true, CA_NAMES)).isEqualTo(PASS);
        assertThat(decide("/", lan, false, "mail.example.org", true, Set.of())).isEqualTo(PASS);
        assertThat(decide("/", lan, true, "mail.example.org", true, Set.of())).isEqualTo(PASS);
    }
}
