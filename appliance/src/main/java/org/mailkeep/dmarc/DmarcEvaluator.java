package org.mailkeep.dmarc;

import org.mailkeep.dns.Resolver;
import org.mailkeep.spf.SpfOutcome;
import org.mailkeep.spf.SpfResult;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * DMARC (RFC 7489) over our resolver: policy discovery (§6.6.3), identifier alignment (§3.1), p=/sp=/pct= (§6.3,
 * §6.6.4). DKIM results come in as {@link DkimResult}s from whatever verified the signatures.
 */
public final class DmarcEvaluator {

    private final Resolver resolver;
    private final PublicSuffixList suffixes;
    private final IntSupplier percentile;

    /** @param percentile a number in 0..99 drawn per message, for pct= sampling */
    public DmarcEvaluator(Resolver resolver, PublicSuffixList suffixes, IntSupplier percentile) {
        this.resolver = resolver;
        this.suffixes = suffixes;
        this.percentile = percentile;
    }

    public DmarcOutcome evaluate(String fromDomain, SpfOutcome spf, List<DkimResult> dkim) {
        String from = fromDomain.toLowerCase(Locale.ROOT);
        String org = suffixes.organizationalDomain(from);
        boolean relaxedSpf = spf != null && spf.result() == SpfResult.PASS && aligned(spf.domain(), from, false);
        boolean strictSpf = spf != null && spf.result() == SpfResult.PASS && aligned(spf.domain(), from, true);
        boolean relaxedDkim = dkim.stream().anyMatch(d -> d.pass() && aligned(d.domain(), from, false));
        boolean strictDkim = dkim.stream().anyMatch(d -> d.pass() && aligned(d.domain(), from, true));

        // §6.6.3 policy discovery: the From domain, then its organizational domain
        Discovery found = discover(from);
        boolean atOrg = false;
        if (found.record.isEmpty() && found.error == null && !org.equals(from)) {
            found = discover(org);
            atOrg = true;
        }
        if (found.error != null) {
            return new DmarcOutcome("temperror", from, DmarcRecord.Policy.NONE, relaxedSpf || relaxedDkim, found.error);
        }
        if (found.record.isEmpty()) {
            return new DmarcOutcome("none", from, DmarcRecord.Policy.NONE, relaxedSpf || relaxedDkim, "no DMARC record for " + from);
        }
        DmarcRecord record = found.record.get();
        boolean spfOk = record.strictSpf() ? strictSpf : relaxedSpf;
        boolean dkimOk = record.strictDkim() ? strictDkim : relaxedDkim;
        if (spfOk || dkimOk) {
            return new DmarcOutcome("pass", from, DmarcRecord.Policy.NONE, true, (dkimOk ? "aligned DKIM" : "aligned SPF") + " for " + from);
        }
        // §6.6.3 step 6: sp= applies when the record was found at the organizational domain for a subdomain
        DmarcRecord.Policy policy = atOrg ? record.subdomainPolicy() : record.policy();
        String sampled = "";
        if (record.pct() < 100 && percentile.getAsInt() >= record.pct()) {
            // §6.3 pct: mail outside the sample gets the next policy down (reject -> quarantine -> none)
            policy = policy == DmarcRecord.Policy.REJECT ? DmarcRecord.Policy.QUARANTINE : DmarcRecord.Policy.NONE;
            sampled = ", outside pct=" + record.pct() + " sample";
        }
        return new DmarcOutcome("fail", from, policy, false,
                "no aligned SPF or DKIM pass for " + from + " (policy " + policy.name().toLowerCase(Locale.ROOT) + sampled + ")");
    }

    /** §3.1: strict alignment is equality; relaxed alignment is the same organizational domain. */
    boolean aligned(String authenticated, String from, boolean strict) {
        if (authenticated == null) {
            return false;
        }
        String a = authenticated.toLowerCase(Locale.ROOT);
        return strict ? a.equals(from) : suffixes.organizationalDomain(a).equals(suffixes.organizationalDomain(from));
    }

    private record Discovery(Optional<DmarcRecord> record, String error) {
    }

    private Discovery discover(String domain) {
        Resolver.Answer answer = resolver.query("_dmarc." + domain, Type.TXT);
        if (answer.status() == Resolver.Status.TEMP_FAIL) {
            return new Discovery(Optional.empty(), "DNS error for _dmarc." + domain + ": " + answer.error());
        }
        List<DmarcRecord> records = new ArrayList<>();
        for (Record r : answer.records()) {
            if (r instanceof TXTRecord txt) {
                String text = String.join("", txt.getStrings());
                if (text.startsWith("v=DMARC1")) {
                    DmarcRecord.parse(text).ifPresent(records::add);
                }
            }
        }
        // §6.6.3 step 3: more than one record means no policy
        return new Discovery(records.size() == 1 ? Optional.of(records.get(0)) : Optional.empty(), null);
    }
}
