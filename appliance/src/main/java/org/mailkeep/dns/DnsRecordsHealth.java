package org.mailkeep.dns;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.box.HealthCheck;
import org.mailkeep.box.BoxIdentity;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The published records as a health check: a missing or wrong MX, A, SPF, DKIM or DMARC record is the main
 * reason mail from a new domain is refused or filed as spam, so it turns the box amber. The live queries run
 * on a schedule (a health check must answer at once); the PTR row is a request to the ISP, not counted.
 */
@ApplicationScoped
public class DnsRecordsHealth implements HealthCheck {

    private final DnsRecords records;
    private final BoxIdentity setup;
    private final AtomicReference<List<CheckedRecord>> last = new AtomicReference<>();

    public DnsRecordsHealth(DnsRecords records, BoxIdentity setup) {
        this.records = records;
        this.setup = setup;
    }

    @Scheduled(every = "30m", delayed = "2m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        if (setup.isComplete()) {
            last.set(records.checked(Optional.empty()));
        }
    }

    @Override
    public Result check() {
        List<CheckedRecord> checked = last.get();
        if (checked == null) {
            return Result.ok("dns-records", "not checked yet");
        }
        List<String> bad = checked.stream().filter(r -> !r.type().equals("PTR"))
                .filter(r -> r.status().equals(CheckedRecord.MISSING) || r.status().equals(CheckedRecord.WRONG))
                .map(r -> r.type() + " " + r.name() + " " + r.status()).toList();
        return bad.isEmpty()
                ? Result.ok("dns-records", "all " + checked.size() + " records as they should be")
                : Result.warning("dns-records", bad.size() + " DNS records to fix (see DNS records): " + String.join(", ", bad));
    }
}
