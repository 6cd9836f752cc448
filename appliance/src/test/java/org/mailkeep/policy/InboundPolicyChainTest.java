package org.mailkeep.policy;

import org.mailkeep.auth.PasswordHasher;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailkeep.checks.AntivirusCheck;
import org.mailkeep.antivirus.ClamdClient;
import org.mailkeep.checks.AttachmentCheck;
import org.mailkeep.attachments.AttachmentInspector;
import org.mailkeep.dmarc.DkimResult;
import org.mailkeep.checks.DmarcCheck;
import org.mailkeep.dmarc.DmarcEvaluator;
import org.mailkeep.dmarc.PublicSuffixList;
import org.mailkeep.dns.DnsjavaResolver;
import org.mailkeep.dns.ZoneResolver;
import org.mailkeep.dnsbl.DnsList;
import org.mailkeep.checks.DnsblCheck;
import org.mailkeep.checks.SpfCheck;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.StoreSchema;
import org.mailkeep.testsupport.MutableClock;
import org.mailkeep.testsupport.TestMessages;
import org.mailkeep.checks.PolicyChain;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole inbound chain as the SMTP session drives it (connect, MAIL, RCPT, DATA on a real {@link SmtpContext}),
 * against the real peers: BIND on 127.0.0.1:5353 (sender domains, zen.test DNSBL) and clamd on 127.0.0.1:13310, with
 * a real SQLite database for greylisting and the lists.
 */
class InboundPolicyChainTest {

    static final DnsjavaResolver BIND = new DnsjavaResolver(List.of("127.0.0.1:5353"));
    static final String ME = "mail.example.test";
    static final AtomicInteger SESSIONS = new AtomicInteger();

    @TempDir
    Path dir;
    Database db;
    Directory directory;
    AccessLists lists;
    MutableClock clock;
    PolicyChain chain;
    Path spool;

    @BeforeEach
    void setUp() throws Exception {
        db = new Database(new DataDirectory(dir.resolve("data")), List.of(new StoreSchema(), new PolicySchema()), Integer.MAX_VALUE);
        directory = new Directory(db, new PasswordHasher(1024, 1, 1));
        directory.addDomain("example.test");
        clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
        lists = new AccessLists(db, clock);
        spool = Files.createDirectories(dir.resolve("spool"));
        chain = chain(true);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    PolicyChain chain(boolean greylisting) {
        return new PolicyChain(List.of(
                new ConnectionRateCheck(clock, 30),
                new SpfCheck(BIND, () -> ME),
                new AccessListCheck(lists),
                new DnsblCheck(BIND, List.of(DnsList.parse("zen.test:1")), List.of(), 1.0),
                new GreylistCheck(new Greylist(db, clock, Duration.ofMinutes(5), Duration.ofDays(35)), lists, greylisting),
                new AttachmentCheck(new AttachmentInspector(Set.of("exe", "scr", "js", "docm"), 3, 10L << 20, 1000)),
                new AntivirusCheck(new ClamdClient("127.0.0.1:13310", Duration.ofSeconds(20)), false, Optional.empty()),
                new DmarcCheck(new DmarcEvaluator(BIND, PublicSuffixList.bundled(), () -> 0)),
                new AntiSpoofCheck(directory::isLocalDomain),
                new HeaderHeuristicsCheck(),
                new SpamScoreCheck(5.0, 8.0),
                new SendLimitCheck(clock, 3)), () -> ME);
    }

    /** The outcome of one transaction: the verdict of the last stage run, the stage, and the context. */
    record Run(String stage, Verdict verdict, SmtpContext context, Path message) {
        String header(String name) {
            return verdict.headers().stream().filter(h -> h.regionMatches(true, 0, name + ":", 0, name.length() + 1)).findFirst().orElse(null);
        }
    }

    Run send(String ip, String from, String to, String message) {
        return send(new SmtpContext("s" + SESSIONS.incrementAndGet(), SmtpContext.Listener.MX, ZoneResolver.ip(ip)), from, to, message, null);
    }

    Run send(SmtpContext context, String from, String to, String message, List<DkimResult> dkim) {
        context.heloName("client.example.org");
        Verdict v = chain.connect(context);
        if (!v.accepted()) {
            return new Run("connect", v, context, null);
        }
        context.envelopeFrom(from);
        v = chain.mailFrom(context);
        if (!v.accepted()) {
            return new Run("mail", v, context, null);
        }
        v = chain.rcptTo(context, to);
        if (!v.accepted()) {
            return new Run("rcpt", v, context, null);
        }
        context.recipients().add(to);
        if (dkim != null) {
            context.dkim(dkim);
        }
        Path file = TestMessages.write(spool, message);
        return new Run("data", chain.data(context, file), context, file);
    }

    Run sendClean(String ip, String from, String headerFrom, String to) {
        return send(ip, from, to, TestMessages.plain(headerFrom, to, "Lunch on Friday?", "Shall we meet at noon?"));
    }

    // ---- SPF, DMARC, anti-spoofing ----

    @Test
    void spfPassAndDmarcPassGetAnAuthenticationResultsHeader() {
        chain = chain(false);
        Run run = sendClean("192.0.2.10", "alice@spf-pass.test", "Alice <alice@spf-pass.test>", "bob@example.test");
        assertThat(run.verdict().accepted()).isTrue();
        assertThat(run.header("Authentication-Results")).isEqualTo(
                "Authentication-Results: mail.example.test;\r\n\tspf=pass smtp.mailfrom=alice@spf-pass.test;\r\n\tdkim=none;\r\n\tdmarc=pass header.from=spf-pass.test");
        assertThat(run.header("X-Spam-Status")).startsWith("X-Spam-Status: No, score=0.0");
        assertThat(run.header("X-MailKeep-Sender")).isNull();
        assertThat(run.verdict().junk()).isFalse();
    }

    @Test
    void eachSpfResultIsRecordedAndScored() {
        chain = chain(false);
        assertThat(sendClean("198.51.100.7", "a@spf-fail.test", "a@spf-fail.test", "bob@example.test").header("Authentication-Results"))
                .contains("spf=pass");
        Run fail = sendClean("192.0.2.10", "a@spf-fail.test", "a@spf-fail.test", "bob@example.test");
        assertThat(fail.header("Authentication-Results")).contains("spf=fail smtp.mailfrom=a@spf-fail.test").contains("dmarc=none");
        assertThat(fail.header("X-Spam-Status")).contains("tests=SPF_FAIL");
        assertThat(sendClean("192.0.2.10", "a@spf-softfail.test", "a@spf-softfail.test", "bob@example.test").header("Authentication-Results"))
                .contains("spf=softfail");
        assertThat(sendClean("192.0.2.10", "a@spf-neutral.test", "a@spf-neutral.test", "bob@example.test").header("Authentication-Results"))
                .contains("spf=neutral");
        assertThat(sendClean("192.0.2.10", "a@spf-none.test", "a@spf-none.test", "bob@example.test").header("Authentication-Results"))
                .contains("spf=none");
        assertThat(sendClean("192.0.2.10", "a@spf-permerror.test", "a@spf-permerror.test", "bob@example.test").header("Authentication-Results"))
                .contains("spf=permerror");
    }

    @Test
    void dmarcRejectIs550AtEndOfData() {
        chain = chain(false);
        Run run = sendClean("192.0.2.10", "a@dmarc-reject.test", "Boss <boss@dmarc-reject.test>", "bob@example.test");
        assertThat(run.stage()).isEqualTo("data");
        assertThat(run.verdict().action()).isEqualTo(Verdict.Action.REJECT);
        assertThat(run.verdict().code() + " " + run.verdict().enhancedCode()).isEqualTo("550 5.7.1");
        assertThat(run.verdict().text()).contains("DMARC policy of dmarc-reject.test");
        // an aligned DKIM pass (as the DKIM verifier will report it) satisfies DMARC even though SPF fails
        Run signed = send(new SmtpContext("dkim", SmtpContext.Listener.MX, ZoneResolver.ip("192.0.2.10")), "a@dmarc-reject.test", "bob@example.test",
                TestMessages.plain("boss@dmarc-reject.test", "bob@example.test", "Report", "attached"), List.of(new DkimResult("dmarc-reject.test", true)));
        assertThat(signed.verdict().accepted()).isTrue();
        assertThat(signed.header("Authentication-Results")).contains("dkim=pass header.d=dmarc-reject.test").contains("dmarc=pass");
    }

    @Test
    void dmarcQuarantineGoesToJunkWithTheUnverifiedMarker() {
        chain = chain(false);
        Run run = sendClean("192.0.2.10", "a@dmarc-quarantine.test", "a@dmarc-quarantine.test", "bob@example.test");
        assertThat(run.verdict().accepted()).isTrue();
        assertThat(run.verdict().junk()).isTrue();
        assertThat(run.header("X-MailKeep-Sender")).startsWith("X-MailKeep-Sender: unverified (");
        assertThat(run.header("Authentication-Results")).contains("dmarc=fail header.from=dmarc-quarantine.test");
    }

    @Test
    void subdomainPolicyApplies() {
        chain = chain(false);
        Run run = sendClean("192.0.2.10", "a@child.dmarc-sub.test", "a@child.dmarc-sub.test", "bob@example.test");
        assertThat(run.verdict().action()).isEqualTo(Verdict.Action.REJECT); // sp=reject of the organizational domain
    }

    @Test
    void spoofedLocalDomainIsRejected() {
        chain = chain(false);
        Run envelope = sendClean("198.51.100.7", "ceo@example.test", "ceo@example.test", "bob@example.test");
        assertThat(envelope.stage()).isEqualTo("mail");
        assertThat(envelope.verdict().code()).isEqualTo("550");
        assertThat(envelope.verdict().text()).contains("example.test");
        // envelope of a domain whose SPF passes, but the visible From claims ours
        Run header = sendClean("192.0.2.10", "alice@spf-pass.test", "CEO <ceo@example.test>", "bob@example.test");
        assertThat(header.stage()).isEqualTo("data");
        assertThat(header.verdict().code() + " " + header.verdict().enhancedCode()).isEqualTo("550 5.7.1");
        // from an address the local domain's SPF authorises, the same mail is fine
        assertThat(sendClean("192.0.2.10", "ceo@example.test", "ceo@example.test", "bob@example.test").verdict().accepted()).isTrue();
    }

    @Test
    void forgedAuthenticationResultsAndSpamHeadersAreRemoved() throws Exception {
        chain = chain(false);
        String message = TestMessages.plain("alice@spf-pass.test", "bob@example.test", "Hello", "Hi Bob",
                "Authentication-Results: mail.example.test;\r\n\tspf=pass smtp.mailfrom=paypal.com; dmarc=pass header.from=paypal.com",
                "Authentication-Results: other.example.org; spf=fail smtp.mailfrom=x@y.z",
                "X-Spam-Status: No, score=-100", "X-MailKeep-Sender: verified");
        Run run = send("192.0.2.10", "alice@spf-pass.test", "bob@example.test", message);
        assertThat(run.verdict().accepted()).isTrue();
        String stored = Files.readString(run.message(), StandardCharsets.ISO_8859_1);
        assertThat(stored).doesNotContain("paypal.com").doesNotContain("score=-100").doesNotContain("X-MailKeep-Sender")
                .contains("Authentication-Results: other.example.org; spf=fail").endsWith("Hi Bob\r\n");
        assertThat(run.verdict().reason()).contains("removed 3 forged header field(s)");
    }

    // ---- reputation and lists ----

    @Test
    void listedIpIsRefusedAtConnectNamingTheList() {
        Run run = sendClean("127.0.0.2", "a@spf-pass.test", "a@spf-pass.test", "bob@example.test");
        assertThat(run.stage()).isEqualTo("connect");
        assertThat(run.verdict().code() + " " + run.verdict().enhancedCode()).isEqualTo("554 5.7.1");
        assertThat(run.verdict().text()).contains("zen.test");
        assertThat(run.verdict().reason()).contains("RFC 5782 test entry");
    }

    @Test
    void greylistFirstTryDeferredRetryAfterDelayAccepted() {
        Run first = sendClean("192.0.2.10", "alice@spf-pass.test", "alice@spf-pass.test", "bob@example.test");
        assertThat(first.stage()).isEqualTo("rcpt");
        assertThat(first.verdict().code() + " " + first.verdict().enhancedCode()).isEqualTo("451 4.7.1");
        clock.advance(Duration.ofMinutes(2));
        assertThat(sendClean("192.0.2.10", "alice@spf-pass.test", "alice@spf-pass.test", "bob@example.test").stage()).isEqualTo("rcpt");
        clock.advance(Duration.ofMinutes(4));
        Run retry = sendClean("192.0.2.11", "alice@spf-pass.test", "alice@spf-pass.test", "bob@example.test"); // same /24
        assertThat(retry.verdict().accepted()).isTrue();
        // the network passed once: auto-allowed for another sender and recipient
        assertThat(sendClean("192.0.2.12", "a@spf-neutral.test", "a@spf-neutral.test", "carol@example.test").verdict().accepted()).isTrue();
        // another network is still greylisted
        assertThat(sendClean("198.51.100.7", "a@spf-fail.test", "a@spf-fail.test", "bob@example.test").stage()).isEqualTo("rcpt");
    }

    @Test
    void blockEntriesRefuseAndAreAudited() {
        chain = chain(false);
        lists.add(null, AccessLists.Action.BLOCK, AccessLists.Type.IP, "198.51.100.0/24", "spam run", "admin");
        assertThat(sendClean("198.51.100.7", "a@spf-fail.test", "a@spf-fail.test", "bob@example.test").verdict().code()).isEqualTo("554");
        lists.add(null, AccessLists.Action.BLOCK, AccessLists.Type.DOMAIN, "spf-neutral.test", null, "admin");
        Run domain = sendClean("192.0.2.10", "x@sub.spf-neutral.test", "x@spf-neutral.test", "bob@example.test");
        assertThat(domain.stage()).isEqualTo("mail");
        assertThat(domain.verdict().code()).isEqualTo("550");
        AccessLists.Entry carol = lists.add("carol@example.test", AccessLists.Action.BLOCK, AccessLists.Type.ADDRESS, "alice@spf-pass.test", null, "admin");
        Run toCarol = sendClean("192.0.2.10", "alice@spf-pass.test", "alice@spf-pass.test", "carol+news@example.test");
        assertThat(toCarol.stage()).isEqualTo("rcpt");
        assertThat(toCarol.verdict().code()).isEqualTo("550");
        assertThat(sendClean("192.0.2.10", "alice@spf-pass.test", "alice@spf-pass.test", "bob@example.test").verdict().accepted()).isTrue();
        lists.remove(carol.id(), "admin");
        assertThat(sendClean("192.0.2.10", "alice@spf-pass.test", "alice@spf-pass.test", "carol@example.test").verdict().accepted()).isTrue();
        assertThat(lists.audit(10)).extracting(AccessLists.AuditRecord::change).containsExactly("remove", "add", "add", "add");
    }

    @Test
    void allowEntriesSkipGreylistingOnlyWithSpfPass() {
        lists.add(null, AccessLists.Action.ALLOW, AccessLists.Type.DOMAIN, "spf-pass.test", "partner", "admin");
        Run allowed = sendClean("192.0.2.10", "alice@spf-pass.test", "alice@spf-pass.test", "bob@example.test");
        assertThat(allowed.verdict().accepted()).isTrue();
        assertThat(allowed.header("X-Spam-Status")).contains("trusted=");
        // the same allow-listed domain from an address its SPF does not authorise is greylisted like anyone
        Run forged = sendClean("198.51.100.7", "alice@spf-pass.test", "alice@spf-pass.test", "bob@example.test");
        assertThat(forged.stage()).isEqualTo("rcpt");
        assertThat(forged.verdict().code()).isEqualTo("451");
        // an allowed IP skips the DNS blocklist and greylisting
        lists.add(null, AccessLists.Action.ALLOW, AccessLists.Type.IP, "127.0.0.2", null, "admin");
        assertThat(sendClean("127.0.0.2", "x@spf-none.test", "x@spf-none.test", "bob@example.test").verdict().accepted()).isTrue();
    }

    // ---- content ----

    Run sendAttachment(String filename, String type, byte[] content) {
        chain = chain(false);
        return send("192.0.2.10", "alice@spf-pass.test", "bob@example.test",
                TestMessages.withAttachment("alice@spf-pass.test", "bob@example.test", "Invoice", filename, type, content));
    }

    @Test
    void eicarPlainZippedAndBase64AreRefusedWithTheSignature() {
        chain = chain(false);
        Run plain = send("192.0.2.10", "alice@spf-pass.test", "bob@example.test",
                TestMessages.plain("alice@spf-pass.test", "bob@example.test", "test", TestMessages.EICAR));
        assertThat(plain.verdict().code() + " " + plain.verdict().enhancedCode()).as(plain.verdict().reason()).isEqualTo("554 5.7.1");
        assertThat(plain.verdict().text()).startsWith("Virus found: ").endsWith(".UNOFFICIAL");
        Run base64 = sendAttachment("eicar.com.txt", "text/plain", TestMessages.EICAR.getBytes(StandardCharsets.US_ASCII));
        assertThat(base64.verdict().text()).startsWith("Virus found: ").contains("EICAR");
        Run zipped = sendAttachment("report.zip", "application/zip", TestMessages.zip("report.txt", TestMessages.EICAR));
        assertThat(zipped.verdict().text()).startsWith("Virus found: ").contains("EICAR");
        Run clean = sendAttachment("report.zip", "application/zip", TestMessages.zip("report.txt", "quarterly numbers"));
        assertThat(clean.verdict().accepted()).isTrue();
    }

    @Test
    void blockedExecutableInsideZipAndZipBombAreRefused() {
        Run exe = sendAttachment("invoice.zip", "application/zip", TestMessages.zip("readme.txt", "hi", "invoice.exe", "not really MZ"));
        assertThat(exe.verdict().code()).isEqualTo("554");
        assertThat(exe.verdict().text()).isEqualTo("Attachment not accepted: invoice.zip > invoice.exe: file type .exe is not accepted");
        Run nested = sendAttachment("a.zip", "application/zip", TestMessages.zip("b.zip", TestMessages.zip("c/run.js", "alert(1)")));
        assertThat(nested.verdict().text()).contains("a.zip > b.zip > c/run.js");
        Run bomb = sendAttachment("data.zip", "application/zip", TestMessages.zipOfZeros("zeros.bin", 50L << 20));
        assertThat(bomb.verdict().code()).isEqualTo("554");
        assertThat(bomb.verdict().text()).contains("zip bomb");
    }

    @Test
    void clamdUnreachableIsTempfailOrFailOpen() {
        Path message = TestMessages.write(spool, TestMessages.plain("a@spf-pass.test", "bob@example.test", "hi", "hello"));
        SmtpContext context = new SmtpContext("av", SmtpContext.Listener.MX, ZoneResolver.ip("192.0.2.10"));
        AntivirusCheck closed = new AntivirusCheck(new ClamdClient("127.0.0.1:1", Duration.ofSeconds(2)), false, Optional.empty());
        Verdict v = closed.data(context, message);
        assertThat(v.code() + " " + v.enhancedCode()).isEqualTo("451 4.7.1");
        assertThat(closed.check().level()).isEqualTo(org.mailkeep.box.HealthCheck.Level.WARNING);
        assertThat(new AntivirusCheck(new ClamdClient("127.0.0.1:1", Duration.ofSeconds(2)), true, Optional.empty()).data(context, message).accepted()).isTrue();
        AntivirusCheck up = new AntivirusCheck(new ClamdClient("127.0.0.1:13310", Duration.ofSeconds(10)), false, Optional.empty());
        assertThat(up.data(context, message).accepted()).isTrue();
        assertThat(up.check().level()).isEqualTo(org.mailkeep.box.HealthCheck.Level.OK);
    }

    @Test
    void headerHeuristicsAddUpToJunkAndReject() {
        chain = chain(false);
        String shouty = "From: a@spf-softfail.test\r\nTo: bob@example.test\r\nSubject: YOU HAVE WON A PRIZE\r\n\r\nclick\r\n";
        Run junk = send("192.0.2.10", "a@spf-softfail.test", "bob@example.test", shouty);
        assertThat(junk.verdict().accepted()).isTrue();
        assertThat(junk.verdict().junk()).isTrue(); // 1.5 softfail + 1.5 caps + 1 date + 1 message-id = 5.0
        assertThat(junk.header("X-Spam-Score")).isEqualTo("X-Spam-Score: 5.0");
        assertThat(junk.header("X-Spam-Status")).isEqualTo(
                "X-Spam-Status: Yes, score=5.0 required=5.0 tests=SPF_SOFTFAIL,SUBJECT_ALL_CAPS,MISSING_DATE,MISSING_MESSAGE_ID");
        StringBuilder many = new StringBuilder("From: a@spf-fail.test\r\nTo: ");
        for (int i = 0; i < 20; i++) {
            many.append(i == 0 ? "" : ", ").append("u").append(i).append("@example.org");
        }
        many.append("\r\nSubject: FREE MONEY FOR EVERYONE\r\n\r\nclick\r\n");
        Run reject = send("192.0.2.10", "a@spf-fail.test", "bob@example.test", many.toString()); // 3 + 1.5 + 1 + 1 + 1.5 + dmarc none
        assertThat(reject.verdict().action()).isEqualTo(Verdict.Action.REJECT);
        assertThat(reject.verdict().text()).startsWith("Message refused as spam");
    }

    // ---- submission limits ----

    @Test
    void perUserSendLimit() {
        for (int i = 0; i < 3; i++) {
            SmtpContext context = new SmtpContext("sub" + i, SmtpContext.Listener.SUBMISSION, ZoneResolver.ip("198.51.100.50"));
            context.authenticatedUser("bob@example.test");
            Run run = send(context, "bob@example.test", "someone@example.org",
                    TestMessages.plain("bob@example.test", "someone@example.org", "note " + i, "hello"), null);
            assertThat(run.verdict().accepted()).as("message " + i).isTrue();
            assertThat(run.header("Authentication-Results")).contains("auth=pass smtp.auth=bob@example.test");
        }
        SmtpContext fourth = new SmtpContext("sub4", SmtpContext.Listener.SUBMISSION, ZoneResolver.ip("198.51.100.50"));
        fourth.authenticatedUser("bob@example.test");
        Run over = send(fourth, "bob@example.test", "someone@example.org", TestMessages.plain("bob@example.test", "x@example.org", "4", "x"), null);
        assertThat(over.stage()).isEqualTo("mail");
        assertThat(over.verdict().code() + " " + over.verdict().enhancedCode()).isEqualTo("451 4.7.1");
        assertThat(over.verdict().text()).contains("3 messages per hour");
        clock.advance(Duration.ofMinutes(61));
        SmtpContext later = new SmtpContext("sub5", SmtpContext.Listener.SUBMISSION, ZoneResolver.ip("198.51.100.50"));
        later.authenticatedUser("bob@example.test");
        assertThat(send(later, "bob@example.test", "x@example.org", TestMessages.plain("bob@example.test", "x@example.org", "5", "x"), null)
                .verdict().accepted()).isTrue();
    }

    @Test
    void connectionRateLimit() {
        for (int i = 0; i < 30; i++) {
            assertThat(chain.connect(new SmtpContext("c" + i, SmtpContext.Listener.MX, ZoneResolver.ip("203.0.113.9"))).accepted()).isTrue();
        }
        Verdict refused = chain.connect(new SmtpContext("c31", SmtpContext.Listener.MX, ZoneResolver.ip("203.0.113.9")));
        assertThat(refused.code() + " " + refused.enhancedCode()).isEqualTo("421 4.7.0");
        assertThat(chain.connect(new SmtpContext("lo", SmtpContext.Listener.MX, ZoneResolver.ip("127.0.0.1"))).accepted()).isTrue();
    }
}
