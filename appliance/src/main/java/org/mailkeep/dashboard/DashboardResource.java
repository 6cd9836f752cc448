package org.mailkeep.dashboard;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.mailkeep.backup.BackupService;
import org.mailkeep.maillog.MailLog;
import org.mailkeep.queue.OutboundQueue;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.MessageStore;
import org.mailkeep.tls.CertificateStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * GET /api/dashboard: one call with what the admin's start page shows, each part read from the bean that owns it
 * (queue, store, certificate, backups, mail log). Health and LEDs are in /api/status.
 */
@Path("/api/dashboard")
@Produces(MediaType.APPLICATION_JSON)
public class DashboardResource {

    static final int RECENT_MAIL = 10;

    public record Queue(int pending, String oldestPendingAt, int deferred) {
    }

    /** {@code usedBytes}: stored mail plus the database files, all under {@code dataDir}; the file system's size and free space. */
    public record Disk(String dataDir, long usedBytes, long fsTotalBytes, long fsFreeBytes) {
    }

    public record Certificate(String notAfter, long daysLeft, boolean selfSigned) {
    }

    public record LastBackup(String id, String finishedAt, String state, String error) {
    }

    public record Dashboard(Queue queue, Disk disk, Certificate certificate, LastBackup lastBackup, String lastSuccessfulBackupAt,
                            List<MailLog.View> recentMail) {
    }

    private final OutboundQueue queue;
    private final MessageStore store;
    private final DataDirectory dirs;
    private final CertificateStore certificates;
    private final BackupService backups;
    private final MailLog mailLog;

    public DashboardResource(OutboundQueue queue, MessageStore store, DataDirectory dirs, CertificateStore certificates, BackupService backups,
                             MailLog mailLog) {
        this.queue = queue;
        this.store = store;
        this.dirs = dirs;
        this.certificates = certificates;
        this.backups = backups;
        this.mailLog = mailLog;
    }

    @GET
    public Dashboard dashboard() {
        Queue q = new Queue(queue.pendingRecipients(), queue.oldestPending().map(Instant::toString).orElse(null), queue.deferredRecipients());
        Instant notAfter = certificates.current().getNotAfter().toInstant();
        Certificate cert = new Certificate(notAfter.toString(), Duration.between(Instant.now(), notAfter).toDays(), certificates.isSelfSigned());
        LastBackup last = backups.runs().stream().findFirst()
                .map(r -> new LastBackup(r.id(), r.finishedAt(), r.state(), r.error())).orElse(null);
        return new Dashboard(q, disk(), cert, last, backups.lastSuccess().map(Instant::toString).orElse(null),
                mailLog.recent(RECENT_MAIL, null).stream().map(MailLog.View::of).toList());
    }

    private Disk disk() {
        java.nio.file.Path db = dirs.database();
        long databaseBytes = Stream.of(db, db.resolveSibling(db.getFileName() + "-wal"), db.resolveSibling(db.getFileName() + "-shm"))
                .mapToLong(DashboardResource::sizeIfExists).sum();
        try {
            FileStore fs = Files.getFileStore(dirs.root());
            return new Disk(dirs.root().toString(), store.storedBytes() + databaseBytes, fs.getTotalSpace(), fs.getUsableSpace());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the file system of " + dirs.root(), e);
        }
    }

    private static long sizeIfExists(java.nio.file.Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0; // the WAL may vanish between the check and the size: it then holds nothing
        }
    }
}
