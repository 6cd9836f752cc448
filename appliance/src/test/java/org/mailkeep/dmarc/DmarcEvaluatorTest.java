package org.mailkeep.dmarc;

import org.junit.jupiter.api.Test;
import org.mailkeep.dns.ZoneResolver;
import org.mailkeep.spf.SpfOutcome;
import org.mailkeep.spf.SpfResult;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7489: organizational domains (§3.2), alignment (§3.1), discovery (§6.6.3), p/sp/pct (§6.3). */
class DmarcEvaluatorTest {

    static final PublicSuffixList PSL = PublicSuffixList.bundled();

    static SpfOutcome spf(SpfResult result, String domain) {
        return new SpfOutcome(result, domain, "x@" + domain, "test");
    }

    @Test
    void organizationalDomainsFromThePublicSuffixList() {
        assertThat(PSL.organizationalDomain("mail.example.com")).isEqualTo("example.com");
        assertThat(PSL.organizationalDomain("a.b.example.co.uk")).isEqualTo("example.co.uk");
        assertThat(PSL.organizationalDomain("example.com")).isEqualTo("example.com");
        assertThat(PSL.organizationalDomain("co.uk")).isEqualTo("co.uk");
        assertThat(PSL.organizationalDomain("x.y.unlisted-tld")).isEqualTo("y.unlisted-tld"); // default rule "*"
        assertThat(PSL.organizationalDomain("foo.bar.ck")).isEqualTo("foo.bar.ck"); // "*.ck" wildcard
        assertThat(PSL.organizationalDomain("a.www.ck")).isEqualTo("www.ck"); // "!www.ck" exception
        assertThat(PSL.organizationalDomain("mail.child.dmarc-sub.test")).isEqualTo("dmarc-sub.test");
    }

    @Test
    void recordParsing() {
        assertThat(DmarcRecord.parse("v=DMARC1; p=reject; sp=none; pct=20; adkim=s; aspf=r")).contains(
                new DmarcRecord(DmarcRecord.Policy.REJECT, DmarcRecord.Policy.NONE, 20, true, false));
        assertThat(DmarcRecord.parse("v=DMARC1;p=quarantine")).get().extracting(DmarcRecord::subdomainPolicy).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(DmarcRecord.parse("p=reject; v=DMARC1")).isEmpty(); // v must come first
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus")).isEmpty();
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus; rua=mailto:d@example.com")).get().extracting(DmarcRecord::policy)
                .isEqualTo(DmarcRecord.Policy.NONE);
    }

    @Test
    void relaxedAndStrictAlignment() {
        ZoneResolver zone = new ZoneResolver().txt("_dmarc.example.com", "v=DMARC1; p=reject")
                .txt("_dmarc.strict.example", "v=DMARC1; p=reject; aspf=s; adkim=s");
        DmarcEvaluator dmarc = new DmarcEvaluator(zone, PSL, () -> 0);
        assertThat(dmarc.evaluate("example.com", spf(SpfResult.PASS, "bounce.example.com"), List.of()).result()).isEqualTo("pass");
        assertThat(dmarc.evaluate("news.example.com", null, List.of(new DkimResult("example.com", true))).result()).isEqualTo("pass");
        assertThat(dmarc.evaluate("example.com", spf(SpfResult.PASS, "example.org"), List.of(new DkimResult("example.com", false))).result())
                .isEqualTo("fail");
        assertThat(dmarc.evaluate("strict.example", spf(SpfResult.PASS, "mail.strict.example"), List.of()).result()).isEqualTo("fail");
        assertThat(dmarc.evaluate("strict.example", null, List.of(new DkimResult("strict.example", true))).result()).isEqualTo("pass");
        assertThat(dmarc.evaluate("example.com", spf(SpfResult.SOFTFAIL, "example.com"), List.of()).disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
    }

    @Test
    void discoveryFallsBackToTheOrganizationalDomainAndItsSubdomainPolicy() {
        ZoneResolver zone = new ZoneResolver().txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine")
                .txt("_dmarc.own.example.com", "v=DMARC1; p=reject")
                .txt("_dmarc.twice.example", "v=DMARC1; p=reject").txt("_dmarc.twice.example", "v=DMARC1; p=none")
                .timeout("_dmarc.slow.example");
        DmarcEvaluator dmarc = new DmarcEvaluator(zone, PSL, () -> 0);
        assertThat(dmarc.evaluate("example.com", null, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.NONE);
        assertThat(dmarc.evaluate("sub.example.com", null, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(dmarc.evaluate("own.example.com", null, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(dmarc.evaluate("twice.example", null, List.of()).result()).isEqualTo("none"); // more than one record
        assertThat(dmarc.evaluate("slow.example", null, List.of()).result()).isEqualTo("temperror");
        DmarcOutcome none = dmarc.evaluate("nodmarc.example", spf(SpfResult.PASS, "nodmarc.example"), List.of());
        assertThat(none.result()).isEqualTo("none");
        assertThat(none.aligned()).isTrue(); // anti-spoofing uses alignment even without a record
    }

    @Test
    void pctSamplingFallsBackToTheNextPolicyDown() {
        ZoneResolver zone = new ZoneResolver().txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=25")
                .txt("_dmarc.example.org", "v=DMARC1; p=quarantine; pct=25");
        assertThat(new DmarcEvaluator(zone, PSL, () -> 24).evaluate("example.com", null, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        assertThat(new DmarcEvaluator(zone, PSL, () -> 25).evaluate("example.com", null, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(new DmarcEvaluator(zone, PSL, () -> 99).evaluate("example.org", null, List.of()).disposition()).isEqualTo(DmarcRecord.Policy.NONE);
    }
}
