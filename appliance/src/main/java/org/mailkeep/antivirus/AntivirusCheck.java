package org.mailkeep.antivirus;

import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.health.HealthCheck;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;

import java.nio.file.Path;
import java.util.List;

/**
 * Scans every message (inbound and submitted) with clamd at the end of DATA: infected → 554 5.7.1 naming the
 * signature; clamd unreachable or failing → 451 4.7.1 so the sender retries (or, with {@code fail-open}, accepted
 * unscanned). clamd decodes MIME and opens archives itself, so base64-encoded and zipped malware is found too. The
 * last contact is also a health check: a warning while clamd does not answer (pinged every minute).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class AntivirusCheck implements InboundCheck, HealthCheck {

    private final ClamdClient clamd;
    private final boolean failOpen;
    private volatile String problem;

    @Inject
    public AntivirusCheck(ClamdConfig config) {
        this(config.address().filter(a -> !a.isBlank()).map(a -> new ClamdClient(a.trim(), config.timeout())).orElse(null), config.failOpen());
    }

    /** @param clamd null when antivirus is off */
    public AntivirusCheck(ClamdClient clamd, boolean failOpen) {
        this.clamd = clamd;
        this.failOpen = failOpen;
    }

    @Override
    public int order() {
        return 250;
    }

    @Override
    public Verdict data(SmtpContext context, Path message) {
        if (clamd == null) {
            return Verdict.ACCEPT;
        }
        ClamdClient.Result result = clamd.scan(message);
        AntivirusMetrics.scanned(result);
        switch (result.status()) {
            case CLEAN -> {
                problem = null;
                return Verdict.ACCEPT;
            }
            case INFECTED -> {
                problem = null;
                return Verdict.reject("554", "5.7.1", "Virus found: " + result.signature(), "clamd found " + result.signature());
            }
            default -> {
                problem = result.message();
                if (failOpen) {
                    return Verdict.tag(List.of(), 0, false, "not scanned (fail-open): " + result.message());
                }
                return Verdict.tempfail("451", "4.7.1", "Virus scanner unavailable, please try again later", result.message());
            }
        }
    }

    @Scheduled(every = "60s", delayed = "5s")
    void ping() {
        if (clamd != null) {
            problem = clamd.ping() ? null : "clamd at " + clamd.address() + " does not answer";
        }
    }

    @Override
    public Result check() {
        if (clamd == null) {
            return Result.ok("antivirus", "off (mailkeep.clamd.address is empty)");
        }
        String p = problem;
        return p == null ? Result.ok("antivirus", "clamd at " + clamd.address())
                : Result.warning("antivirus", p + (failOpen ? "; mail is accepted unscanned" : "; mail is deferred"));
    }
}
