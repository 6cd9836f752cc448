package org.mailkeep.checks;

import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import org.mailkeep.box.HealthCheck;
import org.mailkeep.policy.InboundCheck;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.antivirus.ClamdClient;
import org.mailkeep.antivirus.ClamdConfig;

import org.mailkeep.health.BoxHealthConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Scans every message (inbound and submitted) with clamd at the end of DATA: infected → 554 5.7.1 naming the
 * signature; clamd unreachable or failing → 451 4.7.1 so the sender retries (or, with {@code fail-open}, accepted
 * unscanned). clamd decodes MIME and opens archives itself, so base64-encoded and zipped malware is found too. The
 * last contact is also a health check: a warning while clamd does not answer (pinged every minute), and a warning
 * when antivirus is off on a box with the memory to run it (the image turns ClamAV on by itself from
 * {@link #CLAMAV_MEMORY_MIB}; off there is the owner's MAILKEEP_ANTIVIRUS=off, worth a second look).
 */
@Singleton // no client proxy: the policy chain logs each check by its class name
@io.quarkus.arc.Unremovable // found through PolicyChain's Instance<InboundCheck>; keeps its @ConfigMapping registered before the SMTP server uses the chain
public class AntivirusCheck implements InboundCheck, HealthCheck {

    /**
     * From this much RAM the image runs ClamAV under MAILKEEP_ANTIVIRUS=auto: the same threshold as
     * image-build/overlay/usr/lib/mailkeep/antivirus (clamd keeps about 1.2 GB of signatures resident).
     */
    static final long CLAMAV_MEMORY_MIB = 3584;

    private final ClamdClient clamd;
    private final boolean failOpen;
    private final Optional<Path> meminfo;
    private volatile String problem;

    @Inject
    public AntivirusCheck(ClamdConfig config, BoxHealthConfig box) {
        this(config.address().filter(a -> !a.isBlank()).map(a -> new ClamdClient(a.trim(), config.timeout())).orElse(null), config.failOpen(),
                box.meminfoFile().filter(f -> !f.isBlank()).map(Path::of));
    }

    /**
     * @param clamd   null when antivirus is off
     * @param meminfo the kernel's /proc/meminfo (or a test's copy); empty: the box's memory is not looked at
     */
    public AntivirusCheck(ClamdClient clamd, boolean failOpen, Optional<Path> meminfo) {
        this.clamd = clamd;
        this.failOpen = failOpen;
        this.meminfo = meminfo;
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
            Optional<Long> mib = meminfo.flatMap(AntivirusCheck::memTotalMib);
            if (mib.isEmpty()) {
                return Result.ok("antivirus", "off (mailkeep.clamd.address is empty)");
            }
            if (mib.get() < CLAMAV_MEMORY_MIB) {
                return Result.ok("antivirus", "off: this box has " + mib.get() + " MiB of memory, ClamAV needs " + CLAMAV_MEMORY_MIB + " MiB");
            }
            return Result.warning("antivirus", "off, although this box has " + mib.get() + " MiB of memory (ClamAV runs from "
                    + CLAMAV_MEMORY_MIB + " MiB): mail is not scanned for viruses; MAILKEEP_ANTIVIRUS=auto in /etc/mailkeep/mailkeep.env turns it on");
        }
        String p = problem;
        return p == null ? Result.ok("antivirus", "clamd at " + clamd.address())
                : Result.warning("antivirus", p + (failOpen ? "; mail is accepted unscanned" : "; mail is deferred"));
    }

    /** MemTotal of a proc(5) meminfo file ("MemTotal:  3884100 kB") in MiB; empty when unreadable. */
    static Optional<Long> memTotalMib(Path meminfo) {
        try {
            return Files.readAllLines(meminfo).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> l.substring("MemTotal:".length()).trim().split("\\s+")[0])
                    .filter(n -> n.matches("[0-9]+")).map(kib -> Long.parseLong(kib) / 1024).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
