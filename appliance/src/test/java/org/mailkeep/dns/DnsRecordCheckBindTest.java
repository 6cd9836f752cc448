package org.mailkeep.dns;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailkeep.testsupport.BindPeer;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Against the real BIND peer (127.0.0.1:5353, zone example.test, TSIG key in /tmp/mailkeep-peers/bind):
 * RFC 2136 updates that dig sees, a refused update that changes nothing, and the live record check on
 * correct, missing, wrong and split records. Each run works below its own random label so runs and
 * other helpers' tests never collide.
 */
class DnsRecordCheckBindTest {

    static final InetSocketAddress BIND = BindPeer.ADDRESS;

    static Rfc2136Updater.Key key;
    static Rfc2136Updater updater;
    static String base;
    final RecordCheck check = new RecordCheck(new DnsjavaResolver(List.of(BindPeer.SERVER)));

    @BeforeAll
    static void setUp() throws IOException {
        key = BindPeer.key();
        updater = BindPeer.updater();
        base = BindPeer.freshDomain();
    }

    @Test
    void updatesAreSeenByDig() throws Exception {
        String host = "mail." + base;
        updater.replace(List.of(Rfc2136Updater.record(host, Type.A, 120, "192.0.2.10")));
        assertThat(BindPeer.dig(host, "A")).isEqualTo("192.0.2.10");
        updater.replace(List.of(Rfc2136Updater.record(host, Type.A, 120, "192.0.2.11")));
        assertThat(BindPeer.dig(host, "A")).isEqualTo("192.0.2.11"); // replaced, not added
        updater.add(RecordCheck.txt("_acme-challenge." + host, 60, "digest-value"));
        assertThat(BindPeer.dig("_acme-challenge." + host, "TXT")).isEqualTo("\"digest-value\"");
        updater.delete(RecordCheck.txt("_acme-challenge." + host, 60, "digest-value"));
        assertThat(BindPeer.dig("_acme-challenge." + host, "TXT")).isEmpty();
    }

    @Test
    void aBadKeyIsRefusedAndChangesNothing() throws Exception {
        String host = "refused." + base;
        updater.replace(List.of(Rfc2136Updater.record(host, Type.A, 120, "192.0.2.20")));
        String wrongSecret = java.util.Base64.getEncoder().encodeToString("not the secret of ddns-key at all".getBytes(StandardCharsets.US_ASCII));
        Rfc2136Updater bad = new Rfc2136Updater(BIND, "example.test", new Rfc2136Updater.Key(key.name(), "hmac-sha256", wrongSecret));
        assertThatThrownBy(() -> bad.replace(List.of(Rfc2136Updater.record(host, Type.A, 120, "192.0.2.99"))))
                .isInstanceOf(DnsUpdateException.class)
                .satisfies(e -> assertThat(((DnsUpdateException) e).rcode).isIn("NOTAUTH", "REFUSED"))
                .hasMessageContaining("nothing was changed");
        Rfc2136Updater unknownKey = new Rfc2136Updater(BIND, "example.test", new Rfc2136Updater.Key("no-such-key", "hmac-sha256", wrongSecret));
        assertThatThrownBy(() -> unknownKey.replace(List.of(Rfc2136Updater.record(host, Type.A, 120, "192.0.2.98"))))
                .isInstanceOf(DnsUpdateException.class)
                .satisfies(e -> assertThat(((DnsUpdateException) e).rcode).isIn("NOTAUTH", "REFUSED"));
        assertThat(BindPeer.dig(host, "A")).isEqualTo("192.0.2.20");
    }

    @Test
    void recordChecksTellOkMissingWrongAndSplit() throws Exception {
        String domain = "chk." + base;
        updater.replace(List.of(Rfc2136Updater.record("mail." + domain, Type.A, 120, "192.0.2.30"))); // BIND refuses an MX without an address
        updater.replace(List.of(Rfc2136Updater.record(domain, Type.MX, 120, "10 mail." + domain)));
        updater.replace(List.of(Rfc2136Updater.record(domain, Type.TXT, 120, "\"v=spf1 mx -all\""),
                Rfc2136Updater.record(domain, Type.TXT, 120, "\"google-site-verification=abc\"")));
        updater.replace(List.of(Rfc2136Updater.record("_dmarc." + domain, Type.TXT, 120, "\"v=DMARC1; p=none\"")));
        // a DKIM-sized value published as several strings, the way DNS hosts split it
        String longKey = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(8);
        updater.replace(List.of(RecordCheck.txt("sel._domainkey." + domain, 120, longKey)));
        assertThat(BindPeer.dig("sel._domainkey." + domain, "TXT")).contains("\" \""); // really split on the wire

        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "MX", domain, "10 mail." + domain, "mx")).status()).isEqualTo(CheckedRecord.OK);
        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "TXT", domain, "v=spf1 mx -all", "spf")).status()).isEqualTo(CheckedRecord.OK);
        // quoted the way some users paste it
        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "TXT", domain, "\"v=spf1 \" \"mx -all\"", "spf")).status()).isEqualTo(CheckedRecord.OK);
        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "TXT", "sel._domainkey." + domain, longKey, "dkim")).status()).isEqualTo(CheckedRecord.OK);

        CheckedRecord wrongDmarc = check.check(new PublishedRecord(RecordGroup.RECEIVE, "TXT", "_dmarc." + domain, "v=DMARC1; p=quarantine", "dmarc"));
        assertThat(wrongDmarc.status()).isEqualTo(CheckedRecord.WRONG);
        assertThat(wrongDmarc.found()).isEqualTo("v=DMARC1; p=none");
        CheckedRecord wrongMx = check.check(new PublishedRecord(RecordGroup.RECEIVE, "MX", domain, "10 other." + domain, "mx"));
        assertThat(wrongMx.status()).isEqualTo(CheckedRecord.WRONG);
        assertThat(wrongMx.found()).isEqualTo("10 mail." + domain);

        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "TXT", "_smtp._tls." + domain, "v=TLSRPTv1; rua=mailto:p@x", "tlsrpt")).status())
                .isEqualTo(CheckedRecord.MISSING);
        // an unrelated TXT at the name does not make an absent MTA-STS record "wrong"
        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "TXT", domain, "v=STSv1; id=1", "sts")).status()).isEqualTo(CheckedRecord.MISSING);
        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "A", "nothing." + domain, "192.0.2.1", "a")).status()).isEqualTo(CheckedRecord.MISSING);
        assertThat(check.check(new PublishedRecord(RecordGroup.RECEIVE, "A", "mail." + domain, "", "a")).status()).isEqualTo(CheckedRecord.UNCHECKED);
    }

    @Test
    void aDeadServerIsUncheckedNotMissing() {
        RecordCheck dead = new RecordCheck(new DnsjavaResolver(List.of("127.0.0.1:9"))); // discard port: no DNS answers
        assertThat(dead.check(new PublishedRecord(RecordGroup.RECEIVE, "MX", base, "10 mail." + base, "mx")).status()).isEqualTo(CheckedRecord.UNCHECKED);
    }
}
