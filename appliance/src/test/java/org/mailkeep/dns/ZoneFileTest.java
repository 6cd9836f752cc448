package org.mailkeep.dns;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Record;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zone-file download is read by BIND itself: named-checkzone (bind9-utils, a dependency of the bind9 test peer)
 * loads the fragment under an SOA and NS with its strictest checks, dumps the zone it loaded, and every record
 * must come back with the value the appliance asked for (a TXT longer than 255 octets, quotes and backslashes too).
 */
class ZoneFileTest {

    static final String DOMAIN = "example.test";
    static final String HOST = "mail.example.test";
    static final String DKIM_KEY = "v=DKIM1; k=rsa; p=" + "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA".repeat(9) + "IDAQAB";

    @TempDir
    Path dir;

    static List<PublishedRecord> records() {
        return List.of(
                new PublishedRecord(RecordGroup.RECEIVE, "MX", DOMAIN, "10 " + HOST, "mx"),
                new PublishedRecord(RecordGroup.RECEIVE, "A", HOST, "192.0.2.10", "a"),
                new PublishedRecord(RecordGroup.RECEIVE, "AAAA", HOST, "2001:db8::10", "aaaa"),
                new PublishedRecord(RecordGroup.SEND, "TXT", DOMAIN, "v=spf1 mx -all", "spf"),
                // DKIM as DkimRecords gives it: already cut into quoted strings
                new PublishedRecord(RecordGroup.SEND, "TXT", "k1._domainkey." + DOMAIN,
                        "\"" + DKIM_KEY.substring(0, 255) + "\" \"" + DKIM_KEY.substring(255) + "\"", "dkim"),
                new PublishedRecord(RecordGroup.SEND, "TXT", "_dmarc." + DOMAIN, "v=DMARC1; p=quarantine; rua=mailto:postmaster@" + DOMAIN, "dmarc"),
                new PublishedRecord(RecordGroup.SEND, "PTR", "10.2.0.192.in-addr.arpa", HOST, "ptr"),
                new PublishedRecord(RecordGroup.RECOMMENDED, "TXT", "_smtp._tls." + DOMAIN, "v=TLSRPTv1; rua=mailto:postmaster@" + DOMAIN, "tlsrpt"),
                new PublishedRecord(RecordGroup.RECOMMENDED, "TXT", "quoted." + DOMAIN, "say \"hi\" \\ bye", "escaping"),
                new PublishedRecord(RecordGroup.RECOMMENDED, "CNAME", "autoconfig." + DOMAIN, HOST, "autoconfig"),
                new PublishedRecord(RecordGroup.RECOMMENDED, "SRV", "_submissions._tcp." + DOMAIN, "0 1 465 " + HOST, "srv"),
                new PublishedRecord(RecordGroup.RECOMMENDED, "CAA", DOMAIN, "0 issue \"letsencrypt.org\"", "caa"));
    }

    /** named-checkzone with every check an error; returns BIND's dump of the zone it loaded. */
    String checkzone(String fragment) throws Exception {
        Path zone = dir.resolve("zone.db");
        Files.writeString(zone, "$TTL 3600\n"
                + "@ IN SOA ns1." + DOMAIN + ". hostmaster." + DOMAIN + ". 1 3600 900 604800 300\n"
                + "@ IN NS ns1." + DOMAIN + ".\n"
                + "ns1 IN A 192.0.2.53\n"
                + fragment, StandardCharsets.US_ASCII);
        Path dump = dir.resolve("dump.db");
        Process p = new ProcessBuilder("named-checkzone", "-i", "full", "-k", "fail", "-m", "fail", "-M", "fail", "-n", "fail",
                "-r", "fail", "-S", "fail", "-W", "ignore", "-D", "-o", dump.toString(), DOMAIN, zone.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("named-checkzone:\n%s\nzone:\n%s", out, Files.readString(zone)).isZero();
        assertThat(out).doesNotContain("ignoring").contains("OK"); // "ignoring out-of-zone data" would mean lost records
        return Files.readString(dump);
    }

    /** A record of BIND's dump: owner, type and the value as BIND writes it. */
    record Dumped(String name, String type, String rdata) {
    }

    static List<Dumped> parse(String dump) {
        List<Dumped> records = new ArrayList<>();
        for (String line : dump.split("\n")) {
            String[] f = line.trim().split("\\s+", 5); // owner TTL class type rdata
            if (f.length == 5 && !line.startsWith(";")) {
                records.add(new Dumped(f[0], f[3], f[4].trim()));
            }
        }
        return records;
    }

    /** The character-strings of a TXT value in master-file form (RFC 1035 §5.1: \X and \DDD escapes), as octets. */
    static List<byte[]> characterStrings(String rdata) {
        List<byte[]> strings = new ArrayList<>();
        java.io.ByteArrayOutputStream current = null;
        for (int i = 0; i < rdata.length(); i++) {
            char c = rdata.charAt(i);
            if (current == null) {
                if (c == '"') {
                    current = new java.io.ByteArrayOutputStream();
                }
            } else if (c == '"') {
                strings.add(current.toByteArray());
                current = null;
            } else if (c == '\\' && Character.isDigit(rdata.charAt(i + 1))) {
                current.write(Integer.parseInt(rdata.substring(i + 1, i + 4)));
                i += 3;
            } else if (c == '\\') {
                current.write(rdata.charAt(++i));
            } else {
                current.write(c);
            }
        }
        return strings;
    }

    static String joined(List<byte[]> strings) {
        StringBuilder out = new StringBuilder();
        strings.forEach(b -> out.append(new String(b, StandardCharsets.UTF_8)));
        return out.toString();
    }

    @Test
    void bindLoadsTheFragmentAndEveryRecordComesBackAsPublished() throws Exception {
        String fragment = ZoneFile.render(DOMAIN, HOST, records());
        List<Dumped> loaded = parse(checkzone(fragment));
        for (PublishedRecord r : records()) {
            if (r.type().equals("PTR")) {
                continue;
            }
            Record expected = ZoneFile.record(r);
            assertThat(loaded).as("%s %s", r.type(), r.name()).anySatisfy(got -> {
                assertThat(got.name()).isEqualTo(expected.getName().toString());
                assertThat(got.type()).isEqualTo(r.type());
                if (r.type().equals("TXT")) { // the octets, joined as RFC 7208 §3.3 and RFC 6376 §3.6.2.2 read them
                    List<byte[]> strings = characterStrings(got.rdata());
                    assertThat(joined(strings)).isEqualTo(TxtValues.unquote(r.value()));
                    assertThat(strings).allSatisfy(octets -> assertThat(octets.length).isLessThanOrEqualTo(255));
                } else {
                    assertThat(Record.fromString(expected.getName(), expected.getType(), expected.getDClass(), expected.getTTL(), got.rdata(),
                            org.xbill.DNS.Name.root).rdataToString()).isEqualTo(expected.rdataToString());
                }
            });
        }
        assertThat(characterStrings(loaded.stream().filter(d -> d.name().startsWith("k1._domainkey.")).findFirst().orElseThrow().rdata()))
                .hasSize(2); // longer than 255 octets: two character-strings (RFC 1035 §3.3.14)
        // the PTR belongs in the ISP's reverse zone: given as a comment, not loaded into the domain's zone
        assertThat(loaded).noneMatch(d -> d.type().equals("PTR"));
        assertThat(fragment).containsPattern("\n; 10\\.2\\.0\\.192\\.in-addr\\.arpa\\.\\s+3600\\s+IN\\s+PTR\\s+mail\\.example\\.test\\.\n");
        assertThat(fragment.indexOf("; Needed to receive mail")).isLessThan(fragment.indexOf("; Needed to send mail well"));
        assertThat(fragment.indexOf("; Needed to send mail well")).isLessThan(fragment.indexOf("; Recommended"));
    }

    @Test
    void aHostInAnotherZoneAndAnUnknownAddressAreCommentsSoTheFragmentStillLoads() throws Exception {
        String otherHost = "mx.other.test";
        List<PublishedRecord> records = List.of(
                new PublishedRecord(RecordGroup.RECEIVE, "MX", DOMAIN, "10 " + otherHost, "mx"),
                new PublishedRecord(RecordGroup.RECEIVE, "A", otherHost, "", "the public IPv4 address (not detected yet)"),
                new PublishedRecord(RecordGroup.RECEIVE, "AAAA", otherHost, "2001:db8::10", "aaaa"),
                new PublishedRecord(RecordGroup.SEND, "TXT", DOMAIN, "v=spf1 mx -all", "spf"));
        String fragment = ZoneFile.render(DOMAIN, otherHost, records);
        assertThat(fragment).contains("; mx.other.test. A: the value is not known yet (the public IPv4 address (not detected yet))");
        assertThat(fragment).containsPattern("; In another zone than example\\.test: publish it there\n; mx\\.other\\.test\\.\\s+3600\\s+IN\\s+AAAA\\s+2001:db8:");
        List<Dumped> loaded = parse(checkzone(fragment));
        assertThat(loaded).contains(new Dumped("example.test.", "MX", "10 mx.other.test."));
        assertThat(loaded).noneMatch(d -> d.name().endsWith("other.test."));
    }
}
