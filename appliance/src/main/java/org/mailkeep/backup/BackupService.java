package org.mailkeep.backup;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.mailkeep.box.InvalidInput;
import org.mailkeep.feature.Features;
import org.mailkeep.health.Activities;
import org.mailkeep.box.ButtonEvents;
import org.mailkeep.setup.CommonPasswords;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;
import org.mailkeep.store.Settings;
import org.mailkeep.tls.CertificateStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Backups to the stick: settings, the daily schedule, "backup now", the record of every run, retention,
 * verification and restore. One operation (backup or restore) runs at a time, on its own thread.
 */
@ApplicationScoped
public class BackupService {

    private static final Logger LOG = Logger.getLogger(BackupService.class);
    static final int MIN_PASSPHRASE = 12;
    static final java.time.Duration SAFE_TO_REMOVE_SHOWN = java.time.Duration.ofMinutes(10);

    /** A run as the API shows it. */
    public record Run(String id, String startedAt, String finishedAt, String state, long bytes, int files, int newFiles, String error) {
    }

    /** What the running operation is doing right now; {@code secondsLeft} is an estimate, null while unknown. */
    public record Progress(String operation, String id, String phase, long bytesDone, long bytesTotal, int filesDone, int filesTotal,
                           Long secondsLeft) {

        static Progress starting(String operation, String id, String phase) {
            return new Progress(operation, id, phase, 0, 0, 0, 0, null);
        }
    }

    /** Publishes an operation's progress as it goes, with the time left estimated from its pace since it started. */
    private BackupRunner.Progress tracker(String operation, String id) {
        long started = System.nanoTime();
        return (phase, bd, bt, fd, ft) -> progress.set(new Progress(operation, id, phase, bd, bt, fd, ft,
                secondsLeft(java.time.Duration.ofNanos(System.nanoTime() - started), bd, bt)));
    }

    /** Seconds left at the pace so far: {@code elapsed} for {@code done} of {@code total} bytes; null before anything is done. */
    static Long secondsLeft(java.time.Duration elapsed, long done, long total) {
        if (done <= 0 || total <= 0) {
            return null;
        }
        return done >= total ? 0L : elapsed.toMillis() * (total - done) / done / 1000;
    }

    private final DataDirectory dirs;
    private final Database db;
    private final Features features;
    private final Settings settings;
    private final BoxIdentity setup;
    private final CertificateStore certificates;
    private final MessageStore store;
    private final Activities activities;
    private final BackupConfig config;
    private final Clock clock;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mailkeep-backup");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Progress> progress = new AtomicReference<>();
    private final AtomicReference<String> lastRestoreError = new AtomicReference<>();
    private final AtomicReference<List<BackupStick.Rejected>> ignored = new AtomicReference<>(List.of());

    @Inject
    public BackupService(DataDirectory dirs, Database db, Features features, Settings settings, BoxIdentity setup,
                         CertificateStore certificates, MessageStore store, Activities activities, BackupConfig config) {
        this(dirs, db, features, settings, setup, certificates, store, activities, config, Clock.systemDefaultZone());
    }

    BackupService(DataDirectory dirs, Database db, Features features, Settings settings, BoxIdentity setup,
                  CertificateStore certificates, MessageStore store, Activities activities, BackupConfig config, Clock clock) {
        this.dirs = dirs;
        this.db = db;
        this.features = features;
        this.settings = settings;
        this.setup = setup;
        this.certificates = certificates;
        this.store = store;
        this.activities = activities;
        this.config = config;
        this.clock = clock;
        try {
            BackupStick.deleteTree(dirs.restoreStaging()); // an interrupted restore left it: the old state is still in place
        } catch (IOException e) {
            LOG.warn("cannot remove an interrupted restore's staging files: " + e.getMessage());
        }
    }

    public BackupStick stick() {
        return new BackupStick(Path.of(config.target()));
    }

    /** USB sticks plugged in now, with the file system each carries (the wizard's "plug in a stick" step). */
    public List<UsbSticks.Volume> sticks() throws IOException {
        return new UsbSticks(Path.of(config.sysBlock()), Path.of(config.udevData())).scan();
    }

    // ---- the stick: eject and prepare, through the root helper ----

    static final java.time.Duration EJECT_TIMEOUT = java.time.Duration.ofMinutes(1);
    static final java.time.Duration PREPARE_TIMEOUT = java.time.Duration.ofMinutes(10);

    /** Unmounts the stick so it can be pulled; the activity LED then shows "safe to remove". Returns the helper's words. */
    public String eject() throws IOException {
        StickHelper.Answer answer = askHelper(Progress.starting("eject", "stick", "unmounting"), "eject", EJECT_TIMEOUT);
        if (!answer.ok()) {
            throw new ConflictException("the stick could not be unmounted: " + answer.message());
        }
        showSafeToRemove();
        return answer.message();
    }

    /**
     * Erases the USB disk {@code disk} and gives it one ext4 partition, which the helper then mounts as the stick.
     * {@code confirm} must name the disk and its size exactly as GET /api/backup/sticks shows them; the root
     * helper checks that again against the kernel's view before it erases anything.
     */
    public String prepare(String disk, String confirm) throws IOException {
        UsbSticks.Volume volume = sticks().stream().filter(v -> v.disk().equals(disk)).findFirst()
                .orElseThrow(() -> new org.mailkeep.box.NotFoundException("no USB disk " + disk + " is plugged in"));
        if (!volume.confirmation().equals(confirm)) {
            throw new InvalidInput("confirm", "This erases everything on " + volume.vendor() + " " + volume.model()
                    + ". To go on, type exactly: " + volume.confirmation());
        }
        StickHelper.Answer answer = askHelper(Progress.starting("prepare", disk, "formatting"), "prepare " + confirm, PREPARE_TIMEOUT);
        if (!answer.ok()) {
            throw new ConflictException("the stick was not prepared: " + answer.message());
        }
        LOG.infof("USB disk %s prepared for backups: %s", disk, answer.message());
        return answer.message();
    }

    /** Runs one helper request as the box's operation: no backup or restore starts meanwhile, and /api/status shows it. */
    private StickHelper.Answer askHelper(Progress operation, String request, java.time.Duration timeout) throws IOException {
        synchronized (this) {
            if (progress.get() != null) {
                throw new ConflictException("a " + progress.get().operation() + " is running: wait until it is done");
            }
            progress.set(operation);
        }
        try {
            return new StickHelper(Path.of(config.requestDir())).ask(request, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the stick helper", e);
        } finally {
            progress.set(null);
        }
    }

    // ---- settings ----

    public void configure(String passphrase, String schedule) {
        if (passphrase != null) {
            if (passphrase.length() < MIN_PASSPHRASE) {
                throw new InvalidInput("passphrase", "Use at least " + MIN_PASSPHRASE + " characters; without it nobody can open the backups, so write it down.");
            }
            if (CommonPasswords.isCommon(passphrase)) {
                throw new InvalidInput("passphrase", "This passphrase is on the list of common passwords that attackers try first; choose a few unrelated words.");
            }
            try {
                storeKey(BackupKey.create(passphrase.toCharArray()));
            } catch (IOException e) {
                throw new IllegalStateException("cannot store the backup key: " + e.getMessage(), e);
            }
        }
        if (schedule != null) {
            try {
                LocalTime.parse(schedule);
            } catch (java.time.format.DateTimeParseException e) {
                throw new InvalidInput("schedule", "Give the daily time as HH:MM, e.g. 03:30.");
            }
            settings.put("backup.time", schedule);
        }
    }

    public boolean isConfigured() {
        return Files.exists(dirs.backupKey());
    }

    public String schedule() {
        return settings.get("backup.time").orElse(config.time());
    }

    /** Keeps only the passphrase's derived key, in a file that is 0600 from its creation. */
    private void storeKey(BackupKey key) throws IOException {
        key.store(dirs.backupKey());
        Files.deleteIfExists(dirs.backupPassphrase());
    }

    private BackupKey key() {
        try {
            return BackupKey.load(dirs.backupKey()).orElseThrow(() -> new IllegalStateException("no backup passphrase set: choose one first"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the backup key: " + e.getMessage(), e);
        }
    }

    /** A passphrase kept in plain text by an earlier MailKeep becomes its derived key; the plain text is deleted. */
    void migratePassphrase(@Observes StartupEvent event) {
        Path old = dirs.backupPassphrase();
        if (!Files.exists(old) || Files.exists(dirs.backupKey())) {
            return;
        }
        try {
            storeKey(BackupKey.create(Files.readString(old, StandardCharsets.UTF_8).toCharArray()));
            LOG.info("the backup passphrase is no longer kept in plain text: replaced by its derived key");
        } catch (IOException e) {
            LOG.warnf("cannot replace the stored backup passphrase by its key: %s", e.getMessage());
        }
    }

    /**
     * The stick's genuine markers under the stored key; markers that are not genuine are logged and kept for
     * {@link #ignoredMarkers()}. Before a passphrase is set nothing on the stick counts as genuine.
     */
    BackupStick.Listing listing(BackupStick stick) throws IOException {
        if (!isConfigured()) {
            return new BackupStick.Listing(List.of(), List.of(), java.util.Set.of());
        }
        BackupStick.Listing listing = stick.authenticated(key());
        for (BackupStick.Rejected r : listing.rejected()) {
            if (!ignored.get().contains(r)) {
                LOG.warnf("backup stick: ignoring snapshots/%s/COMPLETE: %s", r.snapshot(), r.reason());
            }
        }
        ignored.set(listing.rejected());
        return listing;
    }

    /** The markers on the stick that are not genuine (forged, changed, or of another passphrase), as the last look found them. */
    public List<BackupStick.Rejected> ignoredMarkers() {
        try {
            return listing(stick()).rejected();
        } catch (IOException | RuntimeException e) {
            return ignored.get();
        }
    }

    private Optional<Completion> genuine(BackupStick stick, String id) throws IOException {
        return listing(stick).genuine().stream().filter(c -> c.id().equals(id)).findFirst();
    }

    // ---- backup ----

    /** Starts a backup now; returns its id. Refused while another backup or restore runs. */
    public synchronized String start() {
        if (!isConfigured()) {
            throw new IllegalStateException("choose a backup passphrase first (PUT /api/backup/settings)");
        }
        if (progress.get() != null) {
            throw new ConflictException("a " + progress.get().operation() + " is running already");
        }
        String id = newId();
        record(id, "running", null, null);
        progress.set(Progress.starting("backup", id, "starting"));
        worker.submit(() -> runBackup(id));
        return id;
    }

    private void runBackup(String id) {
        activities.begin(Activities.BACKUP_RUNNING);
        long started = System.nanoTime();
        try {
            List<Path> paths = features.backupPaths();
            BackupRunner runner = new BackupRunner(dirs, db, paths, stick(), key(), config.packBytes(),
                    tracker("backup", id));
            BackupRunner.Result result = runner.run(id);
            record(id, "ok", result, null);
            applyRetention();
            showSafeToRemove();
            BackupMetrics.run(System.nanoTime() - started, result.bytes());
        } catch (Exception e) {
            String reason = explain(e);
            LOG.errorf("backup %s failed: %s (earlier backups are untouched)", id, reason);
            record(id, "failed", null, reason);
            BackupMetrics.run(System.nanoTime() - started, null);
        } finally {
            progress.set(null);
            activities.end(Activities.BACKUP_RUNNING);
        }
    }

    /**
     * Every file on the stick is synced and closed when a backup is complete, so the stick may be pulled: the
     * activity LED says so for {@link #SAFE_TO_REMOVE_SHOWN}.
     */
    private void showSafeToRemove() {
        activities.begin(Activities.BACKUP_DONE_SAFE_TO_REMOVE);
        java.util.concurrent.CompletableFuture.delayedExecutor(SAFE_TO_REMOVE_SHOWN.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> activities.end(Activities.BACKUP_DONE_SAFE_TO_REMOVE));
    }

    /** The hardware button held for 5 seconds: back up now. */
    void onButton(@jakarta.enterprise.event.ObservesAsync ButtonEvents.BackupNowRequested request) {
        try {
            LOG.infof("backup %s started by the button", start());
        } catch (RuntimeException e) {
            LOG.warnf("button asked for a backup, but: %s", e.getMessage());
        }
    }

    /** Turns an I/O failure into words for the owner. */
    static String explain(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (message.contains("No space left")) {
            return "the backup stick is full: remove old files or use a bigger stick (" + message + ")";
        }
        if (e instanceof java.nio.file.NoSuchFileException || message.contains("Input/output error")) {
            return "the backup stick was removed or cannot be written (" + message + ")";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            // on the image the bare mount point belongs to root: nothing is mounted there
            return "no backup stick is plugged in, or it cannot be written: plug in a FAT32, exFAT or ext4 USB stick (" + message + ")";
        }
        if (message.contains("Read-only file system")) {
            return "the backup stick is read-only (its file system may be damaged: check it on a PC, or prepare it again) (" + message + ")";
        }
        return message;
    }

    /** Deletes what the retention policy no longer keeps ({@link Retention#apply}); markers that are not genuine are reported and left alone. */
    void applyRetention() throws IOException {
        BackupStick stick = stick();
        Retention.apply(stick, listing(stick), config.keepDaily(), config.keepWeekly(), config.keepMonthly());
    }

    /** Reads a whole snapshot back and checks every file; returns the number of files checked. */
    public int verify(String id) throws IOException {
        BackupStick stick = stick();
        genuine(stick, id).orElseThrow(() -> new org.mailkeep.box.NotFoundException("no complete backup " + id + " on the stick"));
        var unlock = key().decryptor();
        Manifest manifest = BackupReader.manifest(stick, id, unlock);
        Path scratch = Files.createTempDirectory(dirs.root(), "verify-");
        try {
            BackupReader.database(stick, id, unlock, scratch.resolve("db"));
            return BackupReader.extract(stick, manifest, BackupReader.allPaths(manifest), unlock, scratch, (p, a, b, c, d) -> { });
        } finally {
            BackupStick.deleteTree(scratch);
        }
    }

    // ---- restore ----

    /** Starts restoring the whole box from a snapshot; checks the passphrase before anything changes. */
    public synchronized void startRestore(String id, String passphrase) throws IOException {
        if (progress.get() != null) {
            throw new ConflictException("a " + progress.get().operation() + " is running already");
        }
        BackupStick stick = stick();
        Completion marker = stick.wellFormed().stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new org.mailkeep.box.NotFoundException("no complete backup " + id + " on the stick"));
        var unlock = OpenPgpFile.passphraseDecryptor(passphrase.toCharArray());
        BackupKey key = markerKey(stick, marker, passphrase, unlock);
        Manifest manifest = BackupReader.manifest(stick, id, unlock); // wrong passphrase fails here, nothing touched
        lastRestoreError.set(null);
        progress.set(Progress.starting("restore", id, "starting"));
        worker.submit(() -> {
            try {
                new Restorer(dirs, db, certificates, store).restoreAll(stick, manifest, unlock, tracker("restore", id));
                storeKey(key); // the key of the restored backup's salt: the next daily run goes on incrementally
                settleRunningRuns(stick, "interrupted: the restored snapshot was taken while this backup ran");
                settings.put("backup.last-restore", id + " " + Instant.now(clock));
                LOG.infof("restore of backup %s complete", id);
            } catch (Exception e) {
                LOG.errorf(e, "restore of backup %s failed: %s", id, explain(e));
                lastRestoreError.set("restore of backup " + id + " failed, nothing was changed: " + explain(e));
            } finally {
                progress.set(null);
            }
        });
    }

    /**
     * The key {@code passphrase} gives for {@code marker}, once the marker proved genuine under it. A wrong passphrase
     * fails the MAC too: the snapshot's manifest, which the passphrase alone opens, tells the two apart. A marker that is
     * not genuine (forged, or changed on the stick) is reported and refused at the field {@code backupId}.
     */
    private BackupKey markerKey(BackupStick stick, Completion marker, String passphrase,
                                org.bouncycastle.openpgp.operator.PBEDataDecryptorFactory unlock) throws IOException {
        Optional<String> why;
        BackupKey key = null;
        if (marker.keySalt() == null || !marker.keySalt().matches("[0-9a-f]{16}")) {
            why = Optional.of("the marker carries no valid key salt (forged, or written by a MailKeep before markers were signed)");
        } else {
            key = BackupKey.derive(passphrase.toCharArray(), java.util.HexFormat.of().parseHex(marker.keySalt()));
            why = BackupStick.genuine(marker, key);
            if (why.isPresent()) {
                try {
                    BackupReader.manifest(stick, marker.id(), unlock);
                } catch (OpenPgpFile.WrongPassphraseException e) {
                    throw e;
                } catch (IOException e) {
                    // no manifest, or a damaged one: the marker is what is wrong
                }
            }
        }
        if (why.isPresent()) {
            BackupStick.Rejected rejected = new BackupStick.Rejected(marker.id(), why.get());
            LOG.warnf("backup stick: refusing to restore snapshots/%s: %s", marker.id(), why.get());
            ignored.set(java.util.stream.Stream.concat(ignored.get().stream().filter(r -> !r.equals(rejected)), java.util.stream.Stream.of(rejected)).toList());
            throw new InvalidInput("backupId", "Backup " + marker.id() + " cannot be trusted: " + why.get() + ". It was not restored.");
        }
        return key;
    }

    /**
     * A run still recorded as "running" when MailKeep starts was cut short by a stop or a power cut (no backup runs
     * before start-up ends): it is settled like the runs of a restored snapshot.
     */
    void settleInterruptedRuns(@Observes StartupEvent event) {
        try {
            settleRunningRuns(stick(), "interrupted: MailKeep stopped while this backup ran");
        } catch (IOException e) {
            LOG.warnf("cannot settle interrupted backup runs: %s", explain(e));
        }
    }

    /**
     * Settles every run recorded as "running" from the stick: "ok" with the snapshot's finish time and size when its
     * COMPLETE marker is there, else "failed" with {@code error} — the list and the dashboard never show a backup
     * running that is not. A restored database needs this too: it was copied while its own backup ran.
     */
    private void settleRunningRuns(BackupStick stick, String error) throws IOException {
        for (Run run : runs()) {
            if (!run.state().equals("running")) {
                continue;
            }
            Optional<Completion> done = genuine(stick, run.id());
            db.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE backups SET state = ?, finished_at = ?, bytes = ?, files = ?, error = ? WHERE id = ?")) {
                    ps.setString(1, done.isPresent() ? "ok" : "failed");
                    ps.setLong(2, done.map(d -> Instant.parse(d.finishedAt()).toEpochMilli()).orElse(clock.millis()));
                    ps.setLong(3, done.map(Completion::bytes).orElse(0L));
                    ps.setInt(4, done.map(Completion::files).orElse(0));
                    ps.setString(5, done.isPresent() ? null : error);
                    ps.setString(6, run.id());
                    ps.executeUpdate();
                }
                return null;
            });
        }
    }

    /** Puts one mailbox's mail (optionally of one day) from a snapshot into folders named "Restored ID/..." of the live account. */
    public int restoreMailbox(String id, String address, LocalDate day) throws IOException {
        BackupStick stick = stick();
        genuine(stick, id).orElseThrow(() -> new org.mailkeep.box.NotFoundException("no complete backup " + id + " on the stick"));
        return new Restorer(dirs, db, certificates, store).restoreMailbox(stick, id, key().decryptor(), address, day);
    }

    /** Why the last restore failed, until the next one starts. */
    public Optional<String> lastRestoreError() {
        return Optional.ofNullable(lastRestoreError.get());
    }

    /** The newest complete backup on the stick. */
    public String newestBackup() throws IOException {
        return stick().wellFormed().stream().findFirst().map(Completion::id)
                .orElseThrow(() -> new org.mailkeep.box.NotFoundException("no complete backup on the stick"));
    }

    public Optional<Progress> progress() {
        return Optional.ofNullable(progress.get());
    }

    /** Waits until the running operation, if any, has finished (tests, shutdown). */
    public void awaitIdle(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (progress.get() != null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    // ---- schedule ----

    @Scheduled(every = "60s", delayed = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void daily() {
        if (!setup.isComplete() || !isConfigured() || progress.get() != null) {
            return;
        }
        ZonedDateTime now = ZonedDateTime.now(clock);
        LocalTime at = LocalTime.parse(schedule());
        if (now.toLocalTime().isBefore(at)) {
            return;
        }
        Optional<Run> last = runs().stream().findFirst();
        boolean ranToday = last.isPresent() && Instant.parse(last.get().startedAt()).atZone(clock.getZone()).toLocalDate().equals(now.toLocalDate());
        if (!ranToday) {
            LOG.info("starting the daily backup");
            start();
        }
    }

    // ---- record ----

    public List<Run> runs() {
        return db.read(c -> {
            List<Run> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, started_at, finished_at, state, bytes, files, new_files, error FROM backups ORDER BY started_at DESC, id DESC");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long finished = rs.getLong(3);
                    result.add(new Run(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)).toString(),
                            rs.wasNull() ? null : Instant.ofEpochMilli(finished).toString(), rs.getString(4), rs.getLong(5), rs.getInt(6),
                            rs.getInt(7), rs.getString(8)));
                }
            }
            return result;
        });
    }

    /** The newest successful backup's start, if any. */
    public Optional<Instant> lastSuccess() {
        return runs().stream().filter(r -> r.state().equals("ok")).findFirst().map(r -> Instant.parse(r.startedAt()));
    }

    private void record(String id, String state, BackupRunner.Result result, String error) {
        long now = clock.millis();
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO backups(id, started_at, state) VALUES(?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, finished_at = ?, bytes = ?, files = ?, new_files = ?, error = ?""")) {
                ps.setString(1, id);
                ps.setLong(2, now);
                ps.setString(3, state);
                ps.setLong(4, now);
                ps.setLong(5, result == null ? 0 : result.bytes());
                ps.setInt(6, result == null ? 0 : result.files());
                ps.setInt(7, result == null ? 0 : result.newFiles());
                ps.setString(8, error);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private String newId() {
        String base = Retention.ID.format(Instant.now(clock));
        java.util.Set<String> used = new java.util.HashSet<>();
        runs().forEach(r -> used.add(r.id()));
        String id = base;
        for (int i = 2; used.contains(id) || Files.exists(stick().snapshot(id)); i++) {
            id = base + "-" + i;
        }
        return id;
    }

    Clock clock() {
        return clock;
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
