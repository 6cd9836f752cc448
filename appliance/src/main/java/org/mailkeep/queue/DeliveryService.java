package org.mailkeep.queue;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.health.Activities;
import org.mailkeep.maillog.MailEvent;
import org.mailkeep.maillog.MailLog;
import org.mailkeep.dkim.HeaderField;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.store.Address;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The queue manager: finds due recipients, groups them by message and destination domain, runs one
 * {@link SmtpDelivery} attempt per group on a bounded worker pool (at most
 * {@code mailkeep.outbound.domain-concurrency} per domain), and records each recipient's outcome durably.
 * <p>State lives only in the database and the message file, so the queue survives restarts and power cuts:
 * a recipient is marked delivered only after the remote's 250 to the final dot, and the message's
 * reference ({@code messages.refcount}) is dropped only when no recipient is left queued. A crash between
 * the 250 and the database update causes a duplicate, never a loss (RFC 5321 §6.1).
 */
@ApplicationScoped
public class DeliveryService {

    private static final Logger LOG = Logger.getLogger(DeliveryService.class);
    private static final int BATCH = 500;

    /** A message in the queue with what delivery needs from it. */
    record Queued(long id, long messageId, Path file, long size, String from, long createdAt, String dkim, boolean body8bit,
                  boolean smtputf8, boolean delayNotified) {
    }

    record Recipient(long id, String address, int attempts, boolean forceRelay) {
    }

    private final Database db;
    private final MessageStore store;
    private final Directory directory;
    private final OutboundQueue queue;
    private final SmtpDelivery smtp;
    private final RelaySettings relaySettings;
    private final Fallback fallback;
    private final OutgoingMessage outgoing;
    private final BoxIdentity setup;
    private final OutboundConfig config;
    private final Activities activities;
    private final MailLog mailLog;

    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, Semaphore> domainSlots = new ConcurrentHashMap<>();
    private ScheduledExecutorService scheduler;
    private ExecutorService workers;

    public DeliveryService(Database db, MessageStore store, Directory directory, OutboundQueue queue, SmtpDelivery smtp,
                           RelaySettings relaySettings, Fallback fallback, OutgoingMessage outgoing, BoxIdentity setup, OutboundConfig config,
                           Activities activities, MailLog mailLog) {
        this.db = db;
        this.store = store;
        this.directory = directory;
        this.queue = queue;
        this.smtp = smtp;
        this.relaySettings = relaySettings;
        this.fallback = fallback;
        this.outgoing = outgoing;
        this.setup = setup;
        this.config = config;
        this.activities = activities;
        this.mailLog = mailLog;
    }

    void start(@Observes StartupEvent event) {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "queue-manager"));
        workers = Executors.newFixedThreadPool(config.workers(), r -> new Thread(r, "queue-delivery"));
        scheduler.scheduleWithFixedDelay(this::tick, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        queue.onEnqueue(this::wake);
    }

    void stop(@Observes ShutdownEvent event) {
        // interrupted attempts leave their recipients queued: nothing was marked delivered without a 250
        scheduler.shutdownNow();
        workers.shutdownNow();
    }

    /** Looks for due work now (new mail, "retry now"). */
    public void wake() {
        if (scheduler != null && !scheduler.isShutdown()) {
            scheduler.execute(this::tick);
        }
    }

    private void tick() {
        try {
            sendDelayNotices();
            schedule();
        } catch (RuntimeException e) {
            LOG.error("queue run failed; retrying at the next poll", e);
        }
    }

    private void schedule() {
        long now = System.currentTimeMillis();
        Map<String, List<Recipient>> groups = new LinkedHashMap<>();
        db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, queue_message_id, recipient, attempts, force_relay FROM queue_recipients "
                    + "WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT " + BATCH)) {
                ps.setLong(1, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (inFlight.contains(rs.getLong(1))) {
                            continue;
                        }
                        String key = rs.getLong(2) + " " + Address.domainOf(rs.getString(3));
                        groups.computeIfAbsent(key, k -> new ArrayList<>())
                                .add(new Recipient(rs.getLong(1), rs.getString(3), rs.getInt(4), rs.getInt(5) != 0));
                    }
                }
            }
            return null;
        });
        for (Map.Entry<String, List<Recipient>> group : groups.entrySet()) {
            long queueId = Long.parseLong(group.getKey().substring(0, group.getKey().indexOf(' ')));
            String domain = group.getKey().substring(group.getKey().indexOf(' ') + 1);
            Semaphore slots = domainSlots.computeIfAbsent(domain, d -> new Semaphore(config.domainConcurrency()));
            if (!slots.tryAcquire()) {
                continue; // the domain has its connections; the next tick picks this group up
            }
            group.getValue().forEach(r -> inFlight.add(r.id()));
            workers.execute(() -> {
                try {
                    attempt(queueId, domain, group.getValue());
                } catch (RuntimeException e) {
                    LOG.errorf(e, "delivery attempt of queue entry %d to %s failed", queueId, domain);
                } finally {
                    group.getValue().forEach(r -> inFlight.remove(r.id()));
                    slots.release();
                }
            });
        }
    }

    // ---------------------------------------------------------------- one attempt

    private void attempt(long queueId, String domain, List<Recipient> recipients) {
        Optional<Queued> loaded = load(queueId);
        if (loaded.isEmpty()) {
            return; // deleted meanwhile
        }
        Queued m = prepare(loaded.get());
        if (m == null) {
            return; // bounced as a loop
        }
        String ehlo = hostname();
        SmtpDelivery.Message message = new SmtpDelivery.Message(m.from(), m.file(), m.size(), OutgoingMessage.prefix(m.dkim()), m.body8bit(),
                m.smtputf8(), () -> outgoing.sevenBit(m.file(), m.from(), !m.dkim().isEmpty(), m.smtputf8()));
        RelaySettings.Mode mode = relaySettings.mode();
        Optional<RelaySettings.Relay> relay = relaySettings.relay();
        Optional<RelaySettings.Route> rule = relaySettings.ruleFor(domain);
        Map<Long, Outcome> outcomes = new LinkedHashMap<>();
        Map<Long, String[]> routes = new LinkedHashMap<>(); // id → {route, reason}

        Map<Long, String> direct = new LinkedHashMap<>();
        Map<Long, String> relayed = new LinkedHashMap<>();
        String relayReason;
        Optional<Fallback.State> state = fallback.state();
        boolean recentTrigger = fallback.relayNow(config.fallbackProbe());
        if (rule.isPresent()) {
            relayReason = "rule for " + domain;
            (rule.get() == RelaySettings.Route.RELAY ? relayed : direct).putAll(addresses(recipients));
        } else if (mode == RelaySettings.Mode.RELAY) {
            relayReason = "mode relay";
            relayed.putAll(addresses(recipients));
        } else if (mode == RelaySettings.Mode.FALLBACK && recentTrigger && relay.isPresent()) {
            relayReason = "fallback active: " + state.get().trigger().description + " (" + state.get().evidence() + ")";
            relayed.putAll(addresses(recipients));
        } else {
            relayReason = "fallback: direct delivery refused for reputation earlier";
            for (Recipient r : recipients) {
                (mode == RelaySettings.Mode.FALLBACK && r.forceRelay() && relay.isPresent() ? relayed : direct).put(r.id(), r.address());
            }
        }
        if (!direct.isEmpty()) {
            String why = rule.isPresent() ? "rule for " + domain : "mode " + mode.name().toLowerCase(Locale.ROOT)
                    + (state.isPresent() && mode == RelaySettings.Mode.FALLBACK ? " (probing the direct path again)" : "");
            SmtpDelivery.Attempt attempt = smtp.direct(message, domain, direct, ehlo);
            attempt.outcomes().forEach((id, o) -> {
                outcomes.put(id, o);
                routes.put(id, new String[] {"direct", why});
            });
            if (attempt.trigger() != null) {
                fallback.record(attempt.trigger(), attempt.evidence());
                if (mode != RelaySettings.Mode.DIRECT) {
                    for (Map.Entry<Long, Outcome> e : attempt.outcomes().entrySet()) {
                        boolean reputation = attempt.trigger() == Fallback.Trigger.REPUTATION && e.getValue().reputation();
                        if (reputation) {
                            outcomes.put(e.getKey(), e.getValue().retryable()); // retried through the relay, never bounced for this
                            markForceRelay(e.getKey());
                        }
                        if ((reputation || e.getValue().kind() == Outcome.Kind.TEMPORARY) && mode == RelaySettings.Mode.FALLBACK && relay.isPresent()) {
                            relayed.put(e.getKey(), direct.get(e.getKey()));
                        }
                    }
                    relayReason = "fallback: " + attempt.trigger().description + " (" + attempt.evidence() + ")";
                }
            } else if (outcomes.values().stream().anyMatch(o -> o.kind() == Outcome.Kind.DELIVERED)) {
                fallback.directWorks();
            }
        }
        if (!relayed.isEmpty()) {
            Map<Long, Outcome> relayOutcomes = new LinkedHashMap<>();
            if (relay.isPresent()) {
                relayOutcomes.putAll(smtp.relay(message, relayed, relay.get(), ehlo).outcomes());
            } else {
                Outcome none = Outcome.temporary("4.3.5 routed to the relay (" + relayReason + ") but no relay is configured", null);
                relayed.keySet().forEach(id -> relayOutcomes.put(id, none));
            }
            for (Map.Entry<Long, Outcome> e : relayOutcomes.entrySet()) {
                outcomes.put(e.getKey(), e.getValue());
                routes.put(e.getKey(), new String[] {"relay", relayReason});
            }
        }
        record(m, recipients, outcomes, routes);
    }

    private static Map<Long, String> addresses(List<Recipient> recipients) {
        Map<Long, String> map = new LinkedHashMap<>();
        recipients.forEach(r -> map.put(r.id(), r.address()));
        return map;
    }

    private void markForceRelay(long recipientId) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipients SET force_relay = 1 WHERE id = ?")) {
                ps.setLong(1, recipientId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Before the first attempt: DKIM-sign once ({@link OutgoingMessage}) (the fields are kept in the queue row; the stored file never
     * changes), note 8-bit content and UTF-8 headers, and stop mail loops (too many Received fields, RFC 5321 §6.3).
     */
    private Queued prepare(Queued m) {
        if (m.dkim() != null) {
            return m;
        }
        int received = 0;
        boolean utf8 = !OutgoingMessage.isAscii(m.from());
        List<HeaderField> header;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(m.file()))) {
            header = HeaderField.readHeader(in);
        } catch (IOException e) {
            LOG.errorf("cannot read queued message %s: %s", m.file(), e.getMessage());
            return null;
        }
        for (HeaderField field : header) {
            received += field.lowerName().equals("received") ? 1 : 0;
            utf8 |= !OutgoingMessage.isAscii(new String(field.raw(), StandardCharsets.ISO_8859_1));
        }
        boolean body8bit = utf8 || OutgoingMessage.has8bit(m.file());
        if (received > config.maxReceived()) {
            String text = "5.4.6 mail loop: the message has " + received + " Received fields (limit " + config.maxReceived() + ")";
            List<Recipient> all = recipients(m.id());
            Map<Long, Outcome> outcomes = new LinkedHashMap<>();
            all.forEach(r -> outcomes.put(r.id(), Outcome.permanent(text, null)));
            record(m, all, outcomes, Map.of());
            return null;
        }
        String signatures;
        try {
            signatures = outgoing.sign(m.file(), header, m.from());
        } catch (IOException e) {
            LOG.errorf("cannot DKIM-sign %s: %s", m.file(), e.getMessage());
            return null;
        }
        String dkim = signatures;
        boolean smtputf8 = utf8;
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE queue_messages SET dkim_signatures = ?, body_8bit = ?, needs_smtputf8 = ? WHERE id = ?")) {
                ps.setString(1, dkim);
                ps.setInt(2, body8bit ? 1 : 0);
                ps.setInt(3, smtputf8 ? 1 : 0);
                ps.setLong(4, m.id());
                ps.executeUpdate();
            }
            return null;
        });
        return new Queued(m.id(), m.messageId(), m.file(), m.size(), m.from(), m.createdAt(), dkim, body8bit, smtputf8, m.delayNotified());
    }

    // ---------------------------------------------------------------- outcomes, DSNs, removal

    private void record(Queued m, List<Recipient> recipients, Map<Long, Outcome> outcomes, Map<Long, String[]> routes) {
        long now = System.currentTimeMillis();
        long expires = m.createdAt() + config.lifetime().toMillis();
        List<Dsn.RecipientStatus> bounced = new ArrayList<>();
        for (Recipient r : recipients) {
            Outcome o = outcomes.get(r.id());
            if (o == null) {
                continue;
            }
            if (o.kind() == Outcome.Kind.PERMANENT || (o.kind() == Outcome.Kind.TEMPORARY && now >= expires)) {
                String diagnostic = o.kind() == Outcome.Kind.PERMANENT ? o.text()
                        : o.text() + " (gave up after " + (r.attempts() + 1) + " attempts over " + config.lifetime() + ")";
                String status = o.kind() == Outcome.Kind.PERMANENT ? o.status() : "4.4.7".equals(o.status()) ? o.status() : o.status().replaceFirst("^4", "5");
                bounced.add(new Dsn.RecipientStatus(r.address(), status, diagnostic, hostOf(o.remoteMta()), now));
            }
        }
        if (!bounced.isEmpty()) {
            sendDsn(m, Dsn.Action.FAILED, bounced);
        }
        boolean finished = db.write(c -> {
            for (Recipient r : recipients) {
                Outcome o = outcomes.get(r.id());
                if (o == null) {
                    continue;
                }
                String[] route = routes.getOrDefault(r.id(), new String[] {null, null});
                boolean expired = o.kind() == Outcome.Kind.TEMPORARY && now >= expires;
                String status = switch (o.kind()) {
                    case DELIVERED -> "delivered";
                    case PERMANENT -> "bounced";
                    case TEMPORARY -> expired ? "bounced" : "queued";
                };
                try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipients SET status = ?, attempts = attempts + 1, "
                        + "next_attempt_at = ?, last_error = ?, last_attempt_at = ?, route = COALESCE(?, route), route_reason = COALESCE(?, route_reason), "
                        + "remote_mta = ?, enhanced_status = ? WHERE id = ?")) {
                    ps.setString(1, status);
                    ps.setLong(2, now + backoff(r.attempts() + 1));
                    ps.setString(3, o.kind() == Outcome.Kind.DELIVERED ? null : (expired ? "expired: " : "") + o.text());
                    ps.setLong(4, now);
                    ps.setString(5, route[0]);
                    ps.setString(6, route[1]);
                    ps.setString(7, o.remoteMta());
                    ps.setString(8, o.status());
                    ps.setLong(9, r.id());
                    ps.executeUpdate();
                }
            }
            return removeIfDone(c, m.id());
        });
        if (finished) {
            store.collectGarbage();
        }
        if (outcomes.values().stream().anyMatch(o -> o.kind() == Outcome.Kind.DELIVERED)) {
            activities.pulse(Activities.MAIL_OUT);
        }
        outcomes.forEach((id, o) -> LOG.infof("queue %d recipient %d: %s %s", m.id(), id, o.kind(), o.text()));
        for (Recipient r : recipients) {
            Outcome o = outcomes.get(r.id());
            if (o != null) {
                MailEvent.Result result = switch (o.kind()) {
                    case DELIVERED -> MailEvent.Result.DELIVERED;
                    case PERMANENT -> MailEvent.Result.BOUNCED;
                    case TEMPORARY -> now >= expires ? MailEvent.Result.BOUNCED : MailEvent.Result.DEFERRED;
                };
                mailLog.record(MailEvent.now(MailEvent.Direction.OUT, m.from(), r.address(), result, o.text(), null, o.remoteMta()));
                QueueMetrics.delivery(result, routes.get(r.id()));
            }
        }
    }

    /** Exponential backoff: initial × 2^(attempts-1), at most retry-max. */
    long backoff(int attempts) {
        long delay = config.retryInitial().toMillis() << Math.min(20, Math.max(0, attempts - 1));
        return Math.min(delay, config.retryMax().toMillis());
    }

    /** Drops the queue entry and its message reference when no recipient is left queued; true when it did. */
    private static boolean removeIfDone(Connection c, long queueId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM queue_recipients WHERE queue_message_id = ? AND status = 'queued'")) {
            ps.setLong(1, queueId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return false;
                }
            }
        }
        return remove(c, queueId);
    }

    /** Deletes a queue entry and drops its reference to the message file; idempotent (false when already gone). */
    static boolean remove(Connection c, long queueId) throws SQLException {
        long messageId;
        try (PreparedStatement ps = c.prepareStatement("SELECT message_id FROM queue_messages WHERE id = ?")) {
            ps.setLong(1, queueId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                messageId = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue_messages WHERE id = ?")) {
            ps.setLong(1, queueId);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET refcount = refcount - 1 WHERE id = ?")) {
            ps.setLong(1, messageId);
            ps.executeUpdate();
        }
        return true;
    }

    /** One "delayed" DSN per message still queued after {@code delay-notice} (RFC 3464 Action: delayed). */
    private void sendDelayNotices() {
        long now = System.currentTimeMillis();
        List<Long> due = db.read(c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT q.id FROM queue_messages q WHERE q.delay_notified = 0 AND q.created_at <= ? "
                    + "AND EXISTS (SELECT 1 FROM queue_recipients r WHERE r.queue_message_id = q.id AND r.status = 'queued' AND r.attempts > 0)")) {
                ps.setLong(1, now - config.delayNotice().toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        });
        for (long id : due) {
            load(id).ifPresent(m -> {
                List<Dsn.RecipientStatus> waiting = new ArrayList<>();
                db.read(c -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT recipient, enhanced_status, last_error, remote_mta, last_attempt_at "
                            + "FROM queue_recipients WHERE queue_message_id = ? AND status = 'queued'")) {
                        ps.setLong(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                waiting.add(new Dsn.RecipientStatus(rs.getString(1), rs.getString(2) == null ? "4.0.0" : rs.getString(2),
                                        rs.getString(3), hostOf(rs.getString(4)), rs.getLong(5)));
                            }
                        }
                    }
                    return null;
                });
                sendDsn(m, Dsn.Action.DELAYED, waiting);
                db.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE queue_messages SET delay_notified = 1 WHERE id = ?")) {
                        ps.setLong(1, id);
                        ps.executeUpdate();
                    }
                    return null;
                });
            });
        }
    }

    private static String hostOf(String remoteMta) {
        return remoteMta == null ? null : remoteMta.replaceFirst("\\[.*$", "");
    }

    /**
     * Sends a DSN to the envelope sender: into the mailbox when the sender is local (the usual case:
     * submission), else through this queue with a null reverse-path. Never for a null sender (RFC 5321 §4.5.5).
     */
    void sendDsn(Queued m, Dsn.Action action, List<Dsn.RecipientStatus> recipients) {
        if (m.from().isEmpty() || recipients.isEmpty()) {
            return;
        }
        Path spool = store.newSpoolFile();
        try {
            try (OutputStream out = Files.newOutputStream(spool); InputStream original = Files.newInputStream(m.file())) {
                Dsn.write(out, action, hostname(), m.from(), m.createdAt(), m.createdAt() + config.lifetime().toMillis(), recipients, original);
            }
            Optional<Directory.Account> account = Address.parse(m.from()).flatMap(directory::resolveRecipient);
            if (account.isPresent()) {
                store.deliver(spool, List.of(MessageStore.Delivery.inbox(account.get().id())));
            } else {
                queue.enqueue(spool, "", List.of(m.from()), null);
            }
            LOG.infof("queue %d: %s DSN sent to %s for %d recipient(s)", m.id(), action.name().toLowerCase(Locale.ROOT), m.from(), recipients.size());
        } catch (IOException | RuntimeException e) {
            LOG.errorf("cannot send the DSN for queue entry %d to %s: %s", m.id(), m.from(), e.getMessage());
            try {
                Files.deleteIfExists(spool);
            } catch (IOException ignored) {
                // the spool is cleaned at the next start
            }
        }
    }

    String hostname() {
        return setup.hostname().orElse("localhost");
    }

    // ---------------------------------------------------------------- loading

    Optional<Queued> load(long queueId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT q.id, q.message_id, m.file, m.size, q.envelope_from, q.created_at, "
                    + "q.dkim_signatures, q.body_8bit, q.needs_smtputf8, q.delay_notified FROM queue_messages q JOIN messages m ON m.id = q.message_id WHERE q.id = ?")) {
                ps.setLong(1, queueId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Queued>empty();
                    }
                    return Optional.of(new Queued(rs.getLong(1), rs.getLong(2), store.file(rs.getString(3)), rs.getLong(4), rs.getString(5),
                            rs.getLong(6), rs.getString(7), rs.getInt(8) != 0, rs.getInt(9) != 0, rs.getInt(10) != 0));
                }
            }
        });
    }

    List<Recipient> recipients(long queueId) {
        return db.read(c -> {
            List<Recipient> list = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, recipient, attempts, force_relay FROM queue_recipients WHERE queue_message_id = ? AND status = 'queued'")) {
                ps.setLong(1, queueId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(new Recipient(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getInt(4) != 0));
                    }
                }
            }
            return list;
        });
    }

    // ---------------------------------------------------------------- admin (queue API)

    /** "Retry now": every queued recipient of the entry becomes due; false when there is no such entry. */
    public boolean retryNow(long queueId) {
        int updated = db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipients SET next_attempt_at = ? WHERE queue_message_id = ? AND status = 'queued'")) {
                ps.setLong(1, System.currentTimeMillis());
                ps.setLong(2, queueId);
                return ps.executeUpdate();
            }
        });
        wake();
        return updated > 0;
    }

    /** Removes an entry; with {@code bounce} the sender gets a "failed" DSN for the recipients still queued. False when not found. */
    public boolean delete(long queueId, boolean bounce) {
        Optional<Queued> m = load(queueId);
        if (m.isEmpty()) {
            return false;
        }
        if (bounce) {
            List<Dsn.RecipientStatus> waiting = recipients(queueId).stream()
                    .map(r -> new Dsn.RecipientStatus(r.address(), "5.0.0", "5.0.0 removed from the queue by the administrator", null, 0))
                    .toList();
            sendDsn(m.get(), Dsn.Action.FAILED, waiting);
        }
        boolean removed = db.write(c -> remove(c, queueId));
        store.collectGarbage();
        return removed;
    }
}
