package org.mailkeep.dns;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.mailkeep.box.BoxIdentity;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Every {@link RecordSource}'s records for the configured domain and host, each checked live. */
@ApplicationScoped
public class DnsRecords {

    /** Queries in parallel, but few at a time: a Pi, and a resolver we do not want to flood. */
    private static final int PARALLEL = 4;

    private final Instance<RecordSource> sources;
    private final BoxIdentity setup;
    private final RecordCheck check;
    private final ExecutorService pool = Executors.newFixedThreadPool(PARALLEL, r -> {
        Thread t = new Thread(r, "dns-record-check");
        t.setDaemon(true);
        return t;
    });

    public DnsRecords(Instance<RecordSource> sources, BoxIdentity setup, Resolver resolver) {
        this.sources = sources;
        this.setup = setup;
        this.check = new RecordCheck(resolver);
    }

    /** The records to publish; empty before setup (no domain yet). */
    public List<PublishedRecord> published() {
        if (setup.domain().isEmpty() || setup.hostname().isEmpty()) {
            return List.of();
        }
        String domain = setup.domain().get();
        String hostname = setup.hostname().get();
        return sources.stream().flatMap(s -> s.records(domain, hostname).stream())
                .distinct()
                .sorted(Comparator.comparing(PublishedRecord::group).thenComparing(PublishedRecord::name).thenComparing(PublishedRecord::type))
                .toList();
    }

    /** The records (of one group, or all), each checked live. */
    public List<CheckedRecord> checked(Optional<RecordGroup> group) {
        List<CompletableFuture<CheckedRecord>> futures = published().stream()
                .filter(r -> group.isEmpty() || r.group() == group.get())
                .map(r -> CompletableFuture.supplyAsync(() -> check.check(r), pool)).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
