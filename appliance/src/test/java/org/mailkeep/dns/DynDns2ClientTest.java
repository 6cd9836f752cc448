package org.mailkeep.dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The dyndns2 client against the loopback protocol fixture: every documented reply, and what each means for retrying. */
class DynDns2ClientTest {

    static DynDns2Fixture provider;
    final DynDns2Client client = new DynDns2Client();

    @BeforeAll
    static void start() throws IOException {
        provider = new DynDns2Fixture("alice", "s3cret", Set.of("home.example.test", "spammy.example.test", "down.example.test"),
                Set.of("spammy.example.test"), Set.of("down.example.test"));
    }

    @AfterAll
    static void stop() {
        provider.close();
    }

    @Test
    void goodThenNochg() throws IOException {
        DynDns2Client.Result first = client.update(provider.url(), "alice", "s3cret", "home.example.test", "198.51.100.7");
        assertThat(first.code()).isEqualTo(DynDns2Client.Code.GOOD);
        assertThat(first.address()).isEqualTo("198.51.100.7");
        assertThat(provider.addresses.get("home.example.test")).isEqualTo("198.51.100.7");
        DynDns2Client.Result again = client.update(provider.url(), "alice", "s3cret", "home.example.test", "198.51.100.7");
        assertThat(again.code()).isEqualTo(DynDns2Client.Code.NOCHG);
        assertThat(again.code().success).isTrue();
    }

    @Test
    void withoutMyipTheProviderReportsTheAddressItSaw() throws IOException {
        DynDns2Client.Result result = client.update(provider.url(), "alice", "s3cret", "home.example.test", null);
        assertThat(result.code().success).isTrue();
        assertThat(result.address()).isEqualTo("127.0.0.1"); // the fallback source of the public IP
    }

    @Test
    void errorsThatNeedTheUserStopRetries() throws IOException {
        DynDns2Client.Result badauth = client.update(provider.url(), "alice", "wrong", "home.example.test", "198.51.100.8");
        assertThat(badauth.code()).isEqualTo(DynDns2Client.Code.BADAUTH);
        assertThat(badauth.code().needsUser).isTrue();
        assertThat(client.update(provider.url(), "alice", "s3cret", "nosuch.example.test", "198.51.100.8").code()).isEqualTo(DynDns2Client.Code.NOHOST);
        assertThat(client.update(provider.url(), "alice", "s3cret", "home", "198.51.100.8").code()).isEqualTo(DynDns2Client.Code.NOTFQDN);
        DynDns2Client.Result abuse = client.update(provider.url(), "alice", "s3cret", "spammy.example.test", "198.51.100.8");
        assertThat(abuse.code()).isEqualTo(DynDns2Client.Code.ABUSE);
        assertThat(abuse.code().needsUser).isTrue();
        assertThat(provider.addresses.get("home.example.test")).isNotEqualTo("198.51.100.8"); // nothing changed by the refused calls
    }

    @Test
    void serverErrorIsRetriedLater() throws IOException {
        DynDns2Client.Result result = client.update(provider.url(), "alice", "s3cret", "down.example.test", "198.51.100.9");
        assertThat(result.code()).isEqualTo(DynDns2Client.Code.SERVER_ERROR);
        assertThat(result.code().success).isFalse();
        assertThat(result.code().needsUser).isFalse();
    }

    @Test
    void presetsDifferOnlyByUrl() {
        assertThat(DynDns2Provider.byId("noip")).hasValue(DynDns2Provider.NOIP);
        assertThat(DynDns2Provider.NOIP.url()).isPresent();
        DdnsSettings custom = new DdnsSettings("dyndns2", null, null, null, null, null, 120, "custom", provider.url(), "alice", "s3cret", null).validated();
        assertThat(custom.dyndns2Url()).isEqualTo(provider.url());
        DdnsSettings noip = new DdnsSettings("dyndns2", null, null, null, null, null, 120, "noip", null, "alice", "s3cret", null).validated();
        assertThat(noip.dyndns2Url()).isEqualTo("https://dynupdate.no-ip.com/nic/update");
    }
}
