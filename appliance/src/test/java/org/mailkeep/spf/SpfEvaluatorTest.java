package org.mailkeep.spf;

import org.junit.jupiter.api.Test;
import org.mailkeep.dns.ZoneResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cases of the RFC 7208 test suite (the openspf "rfc7208-tests.yml" scenarios: initial processing, record lookup,
 * record evaluation, each mechanism, the processing limits, macros, explanations), each with its zone data.
 */
class SpfEvaluatorTest {

    private static SpfResult check(ZoneResolver zone, String ip, String mailFrom) {
        return new SpfEvaluator(zone, "mail.example.test").checkMailFrom(ZoneResolver.ip(ip), mailFrom, "mail.example.net").result();
    }

    // ---- initial processing (§4.3) ----

    @Test
    void tooLongLabelAndEmptyLabelAreNone() {
        ZoneResolver zone = new ZoneResolver();
        assertThat(check(zone, "1.2.3.5", "lyme.eater@A123456789012345678901234567890123456789012345678901234567890123.example.com"))
                .isEqualTo(SpfResult.NONE);
        assertThat(check(zone, "1.2.3.5", "lyme.eater@A...example.com")).isEqualTo(SpfResult.NONE);
        assertThat(check(zone, "1.2.3.5", "user@singlelabel")).isEqualTo(SpfResult.NONE);
    }

    @Test
    void noLocalPartMeansPostmaster() {
        ZoneResolver zone = new ZoneResolver().txt("example.net", "v=spf1 exists:%{l}.example.net -all").a("postmaster.example.net", "127.0.0.2");
        assertThat(check(zone, "1.2.3.4", "@example.net")).isEqualTo(SpfResult.PASS);
    }

    @Test
    void nullSenderChecksTheHeloName() {
        ZoneResolver zone = new ZoneResolver().txt("mail.example.net", "v=spf1 ip4:1.2.3.4 -all");
        SpfOutcome outcome = new SpfEvaluator(zone, "r").checkMailFrom(ZoneResolver.ip("1.2.3.4"), "", "mail.example.net");
        assertThat(outcome.result()).isEqualTo(SpfResult.PASS);
        assertThat(outcome.identity()).isEqualTo("postmaster@mail.example.net");
    }

    // ---- record lookup (§4.4, §4.5) ----

    @Test
    void recordSelection() {
        ZoneResolver zone = new ZoneResolver()
                .txt("both.example.net", "v=spf1 -all").txt("both.example.net", "v=spf1 +all")
                .txt("spf10.example.net", "v=spf10").txt("spf10.example.net", "v=spf1 -all")
                .txt("split.example.net", "v=spf1 ", "ip4:1.2.3.4 -all")
                .txt("nospf.example.net", "just a text")
                .timeout("tempfail.example.net")
                .txt("case.example.net", "V=sPf1 +all");
        assertThat(check(zone, "1.2.3.4", "a@both.example.net")).isEqualTo(SpfResult.PERMERROR);
        assertThat(check(zone, "1.2.3.4", "a@spf10.example.net")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "1.2.3.4", "a@split.example.net")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.4", "a@nospf.example.net")).isEqualTo(SpfResult.NONE);
        assertThat(check(zone, "1.2.3.4", "a@nxdomain.example.net")).isEqualTo(SpfResult.NONE);
        assertThat(check(zone, "1.2.3.4", "a@tempfail.example.net")).isEqualTo(SpfResult.TEMPERROR);
        assertThat(check(zone, "1.2.3.4", "a@case.example.net")).isEqualTo(SpfResult.PASS);
    }

    // ---- record evaluation (§4.6, §5, §6) ----

    @Test
    void syntaxErrorsAnywhereArePermerror() {
        ZoneResolver zone = new ZoneResolver()
                .txt("e1.example.com", "v=spf1 ip4:1.2.3.4 -all moo")
                .txt("e2.example.com", "v=spf1 -all foo=%abc")
                .txt("e3.example.com", "v=spf1 a:111.222.33.44 -all")
                .txt("e4.example.com", "v=spf1 a:foo.example.-com -all")
                .txt("e5.example.com", "v=spf1 a/33 -all")
                .txt("e6.example.com", "v=spf1 a//129 -all")
                .txt("e7.example.com", "v=spf1 include -all")
                .txt("e8.example.com", "v=spf1 include:e.example.com/24 -all")
                .txt("e9.example.com", "v=spf1 ptr/24 -all")
                .txt("e10.example.com", "v=spf1 exists -all")
                .txt("e11.example.com", "v=spf1 ip4:1.2.3.4//32 -all")
                .txt("e12.example.com", "v=spf1 ip4:1.2.3.4.5 -all")
                .txt("e13.example.com", "v=spf1 ip4:1.2.3.4/032 -all")
                .txt("e14.example.com", "v=spf1 redirect=a.example.com redirect=b.example.com")
                .txt("e15.example.com", "v=spf1 a:museum -all")
                .txt("e16.example.com", "v=spf1 ip6:1.2.3.4 -all")
                .txt("e17.example.com", "v=spf1 -redirect=a.example.com");
        for (int i = 1; i <= 17; i++) {
            assertThat(check(zone, "1.2.3.4", "a@e" + i + ".example.com")).as("e" + i).isEqualTo(SpfResult.PERMERROR);
        }
    }

    @Test
    void qualifiersAndDefaults() {
        ZoneResolver zone = new ZoneResolver()
                .txt("q.example.com", "v=spf1 -ip4:1.1.1.1 ~ip4:1.1.1.2 ?ip4:1.1.1.3 +ip4:1.1.1.4 ip4:1.1.1.5")
                .txt("empty.example.com", "v=spf1")
                .txt("obsolete.example.com", "v=spf1 default=+ unknown-modifier=%{d}");
        assertThat(check(zone, "1.1.1.1", "a@q.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "1.1.1.2", "a@q.example.com")).isEqualTo(SpfResult.SOFTFAIL);
        assertThat(check(zone, "1.1.1.3", "a@q.example.com")).isEqualTo(SpfResult.NEUTRAL);
        assertThat(check(zone, "1.1.1.4", "a@q.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.1.1.5", "a@q.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.1.1.6", "a@q.example.com")).isEqualTo(SpfResult.NEUTRAL); // §4.7
        assertThat(check(zone, "1.1.1.6", "a@empty.example.com")).isEqualTo(SpfResult.NEUTRAL);
        assertThat(check(zone, "1.1.1.6", "a@obsolete.example.com")).isEqualTo(SpfResult.NEUTRAL); // unknown modifiers ignored
    }

    @Test
    void aMechanismWithDualCidr() {
        ZoneResolver zone = new ZoneResolver()
                .txt("a.example.com", "v=spf1 a:host.example.com/24//64 -all")
                .a("host.example.com", "1.2.3.4").a("host.example.com", "2001:db8::1")
                .txt("self.example.com", "v=spf1 a -all").a("self.example.com", "1.2.3.9")
                .txt("zero.example.com", "v=spf1 a/0 -all").a("zero.example.com", "9.9.9.9");
        assertThat(check(zone, "1.2.3.200", "x@a.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.4.1", "x@a.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "2001:db8::ffff", "x@a.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "2001:db9::1", "x@a.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "1.2.3.9", "x@self.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "200.1.1.1", "x@zero.example.com")).isEqualTo(SpfResult.PASS);
    }

    @Test
    void ipMechanismsAndMappedAddresses() {
        ZoneResolver zone = new ZoneResolver()
                .txt("ip.example.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")
                .txt("zero.example.com", "v=spf1 ip4:1.1.1.1/0 -all");
        assertThat(check(zone, "192.0.2.55", "x@ip.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "::ffff:192.0.2.55", "x@ip.example.com")).isEqualTo(SpfResult.PASS); // IPv4-mapped is IPv4
        assertThat(check(zone, "2001:db8:1::5", "x@ip.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "2001:db9::5", "x@ip.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "8.8.8.8", "x@zero.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "2001:db8::1", "x@zero.example.com")).isEqualTo(SpfResult.FAIL); // ip4 never matches IPv6
    }

    @Test
    void mxMechanismAndItsLimit() {
        ZoneResolver zone = new ZoneResolver()
                .txt("mx.example.com", "v=spf1 mx -all").mx("mx.example.com", 10, "m1.example.com").mx("mx.example.com", 20, "m2.example.com")
                .a("m1.example.com", "1.2.3.4").a("m2.example.com", "1.2.3.5")
                .txt("many.example.com", "v=spf1 mx -all");
        for (int i = 0; i < 11; i++) {
            zone.mx("many.example.com", i, "h" + i + ".example.com").a("h" + i + ".example.com", "1.2.3." + (100 + i));
        }
        assertThat(check(zone, "1.2.3.5", "x@mx.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.6", "x@mx.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "1.2.3.100", "x@many.example.com")).isEqualTo(SpfResult.PERMERROR); // §4.6.4: more than 10 MX names
    }

    @Test
    void ptrMechanismValidatesTheName() {
        ZoneResolver zone = new ZoneResolver()
                .txt("ptr.example.com", "v=spf1 ptr -all")
                .ptr("1.2.3.4", "mail.ptr.example.com").a("mail.ptr.example.com", "1.2.3.4")
                .ptr("1.2.3.5", "fake.ptr.example.com").a("fake.ptr.example.com", "9.9.9.9");
        assertThat(check(zone, "1.2.3.4", "x@ptr.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.5", "x@ptr.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "1.2.3.6", "x@ptr.example.com")).isEqualTo(SpfResult.FAIL);
    }

    @Test
    void includeResultsMapToMatchOrError() {
        ZoneResolver zone = new ZoneResolver()
                .txt("inc.example.com", "v=spf1 include:fail.example.com include:pass.example.com -all")
                .txt("fail.example.com", "v=spf1 -all").txt("pass.example.com", "v=spf1 ip4:1.2.3.4 ~all")
                .txt("none.example.com", "v=spf1 include:nospf.example.com -all")
                .txt("temp.example.com", "v=spf1 include:slow.example.com -all").timeout("slow.example.com")
                .txt("perm.example.com", "v=spf1 include:broken.example.com -all").txt("broken.example.com", "v=spf1 nonsense");
        assertThat(check(zone, "1.2.3.4", "x@inc.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.5", "x@inc.example.com")).isEqualTo(SpfResult.FAIL); // inner softfail is "no match"
        assertThat(check(zone, "1.2.3.4", "x@none.example.com")).isEqualTo(SpfResult.PERMERROR);
        assertThat(check(zone, "1.2.3.4", "x@temp.example.com")).isEqualTo(SpfResult.TEMPERROR);
        assertThat(check(zone, "1.2.3.4", "x@perm.example.com")).isEqualTo(SpfResult.PERMERROR);
    }

    @Test
    void redirect() {
        ZoneResolver zone = new ZoneResolver()
                .txt("r.example.com", "v=spf1 redirect=target.example.com").txt("target.example.com", "v=spf1 ip4:1.2.3.4 -all")
                .txt("after.example.com", "v=spf1 -all redirect=target.example.com")
                .txt("rnone.example.com", "v=spf1 redirect=nospf.example.com");
        assertThat(check(zone, "1.2.3.4", "x@r.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.5", "x@r.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "1.2.3.4", "x@after.example.com")).isEqualTo(SpfResult.FAIL); // redirect only when nothing matched
        assertThat(check(zone, "1.2.3.4", "x@rnone.example.com")).isEqualTo(SpfResult.PERMERROR);
    }

    // ---- processing limits (§4.6.4) ----

    @Test
    void tenDnsTermsAllowedEleventhIsPermerror() {
        ZoneResolver zone = new ZoneResolver();
        StringBuilder ten = new StringBuilder("v=spf1");
        for (int i = 0; i < 10; i++) {
            ten.append(" a:h").append(i).append(".example.com");
            zone.a("h" + i + ".example.com", "9.9.9." + i);
        }
        zone.txt("ten.example.com", ten + " ip4:1.2.3.4 -all").txt("eleven.example.com", ten + " a:h0.example.com ip4:1.2.3.4 -all");
        assertThat(check(zone, "1.2.3.4", "x@ten.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.4", "x@eleven.example.com")).isEqualTo(SpfResult.PERMERROR);
        // ip4/all do not count
        zone.txt("loop.example.com", "v=spf1 include:loop.example.com -all");
        assertThat(check(zone, "1.2.3.4", "x@loop.example.com")).isEqualTo(SpfResult.PERMERROR);
    }

    @Test
    void voidLookupLimit() {
        ZoneResolver zone = new ZoneResolver()
                .txt("two.example.com", "v=spf1 a:nx1.example.com exists:nx2.example.com ip4:1.2.3.4 -all")
                .txt("three.example.com", "v=spf1 a:nx1.example.com exists:nx2.example.com mx:nx3.example.com ip4:1.2.3.4 -all");
        assertThat(check(zone, "1.2.3.4", "x@two.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.4", "x@three.example.com")).isEqualTo(SpfResult.PERMERROR);
    }

    // ---- macros and explanations (§7, §6.2) ----

    @Test
    void macrosInMechanisms() {
        ZoneResolver zone = new ZoneResolver()
                .txt("m.example.com", "v=spf1 exists:%{ir}.%{l1r-}.lp._spf.%{d} -all")
                .a("4.3.2.1.jim.lp._spf.m.example.com", "127.0.0.2")
                .txt("v6.example.com", "v=spf1 exists:%{ir}.%{v}.v6.example.com -all")
                .a("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.v6.example.com", "127.0.0.2")
                .txt("p.example.com", "v=spf1 exists:%{p}.check.p.example.com -all")
                .ptr("1.2.3.4", "host.p.example.com").a("host.p.example.com", "1.2.3.4")
                .a("host.p.example.com.check.p.example.com", "127.0.0.2");
        assertThat(check(zone, "1.2.3.4", "jim-bob@m.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.4", "sue-bob@m.example.com")).isEqualTo(SpfResult.FAIL);
        assertThat(check(zone, "2001:db8::1", "x@v6.example.com")).isEqualTo(SpfResult.PASS);
        assertThat(check(zone, "1.2.3.4", "x@p.example.com")).isEqualTo(SpfResult.PASS);
    }

    @Test
    void explanationOnlyOnFail() {
        ZoneResolver zone = new ZoneResolver()
                .txt("exp.example.com", "v=spf1 -ip4:1.2.3.4 exp=why.example.com ?all")
                .txt("why.example.com", "%{i} is not one of %{d}'s designated mail servers.");
        SpfOutcome fail = new SpfEvaluator(zone, "r").checkMailFrom(ZoneResolver.ip("1.2.3.4"), "x@exp.example.com", "h.example.net");
        assertThat(fail.result()).isEqualTo(SpfResult.FAIL);
        assertThat(fail.explanation()).isEqualTo("1.2.3.4 is not one of exp.example.com's designated mail servers.");
        SpfOutcome neutral = new SpfEvaluator(zone, "r").checkMailFrom(ZoneResolver.ip("1.2.3.5"), "x@exp.example.com", "h.example.net");
        assertThat(neutral.result()).isEqualTo(SpfResult.NEUTRAL);
    }
}
