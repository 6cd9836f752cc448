package org.mailkeep.setup;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.box.InvalidInput;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.store.Address;
import org.mailkeep.store.DataDirectory;
import org.mailkeep.store.Directory;
import org.mailkeep.store.Settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * Claiming the box: the one-time setup token written at first start, and the first configuration
 * (domain, hostname, admin password), which the rest of the box reads as its {@link BoxIdentity}. Until setup
 * completes only /api/status and /api/setup answer.
 */
@ApplicationScoped
public class SetupService implements BoxIdentity {

    private static final Logger LOG = Logger.getLogger(SetupService.class);
    private static final String TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read off a screen or paper
    public static final int MIN_ADMIN_PASSWORD = 12;

    private final Settings settings;
    private final Directory directory;
    private final DataDirectory dirs;
    private final PasswordHasher hasher = new PasswordHasher();

    public SetupService(Settings settings, Directory directory, DataDirectory dirs) {
        this.settings = settings;
        this.directory = directory;
        this.dirs = dirs;
    }

    void onStart(@Observes StartupEvent event) {
        if (isComplete()) {
            return;
        }
        if (!Files.exists(dirs.setupToken())) {
            writeToken(newToken());
        }
        LOG.infof("MailKeep is not set up yet. Setup token: %s (in %s)", token().orElse("?"), dirs.setupToken());
    }

    public boolean isComplete() {
        return settings.get("setup.complete").map(Boolean::parseBoolean).orElse(false);
    }

    public Optional<String> token() {
        try {
            return Files.exists(dirs.setupToken())
                    ? Optional.of(Files.readString(dirs.setupToken(), StandardCharsets.US_ASCII).trim())
                    : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Constant-time check of a presented setup token. */
    public boolean tokenMatches(String presented) {
        return sameSecret(token().orElse(null), presented);
    }

    /** Whether {@code presented} (surrounding blanks ignored) is {@code expected}, compared in constant time; false if either is null. */
    static boolean sameSecret(String expected, String presented) {
        return expected != null && presented != null
                && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), presented.trim().getBytes(StandardCharsets.US_ASCII));
    }

    /** Completes first setup. Throws {@link InvalidInput} for a bad field; the caller has checked the token. */
    public synchronized void complete(String domain, String hostname, String adminPassword) {
        if (isComplete()) {
            throw new IllegalStateException("already set up");
        }
        String normalizedDomain = Address.normalizeDomain(domain)
                .orElseThrow(() -> new InvalidInput("domain", "Enter a domain name such as example.com."));
        String normalizedHost = Address.normalizeDomain(hostname)
                .orElseThrow(() -> new InvalidInput("hostname", "Enter a host name such as mail.example.com."));
        checkAdminPassphrase("adminPassword", adminPassword);
        directory.addDomain(normalizedDomain);
        settings.put("setup.domain", normalizedDomain);
        settings.put("setup.hostname", normalizedHost);
        settings.put("admin.password-hash", hasher.hash(adminPassword));
        settings.put("setup.complete", "true");
        try {
            Files.deleteIfExists(dirs.setupToken());
        } catch (IOException e) {
            LOG.warn("cannot delete the used setup token: " + e.getMessage());
        }
        LOG.infof("setup complete for domain %s, host %s", normalizedDomain, normalizedHost);
    }

    public Optional<String> domain() {
        return settings.get("setup.domain");
    }

    public Optional<String> hostname() {
        return settings.get("setup.hostname");
    }

    /** The wizard's rules for an admin passphrase: at least {@link #MIN_ADMIN_PASSWORD} characters, not on the common-password list. */
    private static void checkAdminPassphrase(String field, String passphrase) {
        if (passphrase == null || passphrase.length() < MIN_ADMIN_PASSWORD) {
            throw new InvalidInput(field, "Use at least " + MIN_ADMIN_PASSWORD + " characters; a few unrelated words make a good passphrase.");
        }
        if (CommonPasswords.isCommon(passphrase)) {
            throw new InvalidInput(field, "This passphrase is on the list of common passwords that attackers try first; choose a few unrelated words.");
        }
    }

    /** Replaces the admin passphrase (the caller checked the current one); {@link InvalidInput} at {@code field} when the new one is weak. */
    public void changeAdminPassword(String field, String newPassword) {
        checkAdminPassphrase(field, newPassword);
        settings.put("admin.password-hash", hasher.hash(newPassword));
        LOG.info("admin passphrase changed");
    }

    public boolean checkAdminPassword(String password) {
        return PasswordHasher.verify(password, settings.get("admin.password-hash").orElse(null));
    }

    private void writeToken(String token) {
        try {
            DataDirectory.writeAtomically(dirs.setupToken(), (token + "\n").getBytes(StandardCharsets.US_ASCII));
            Files.setPosixFilePermissions(dirs.setupToken(), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write setup token", e);
        }
    }

    /** Four groups of five characters: about 98 bits, easy to type. */
    static String newToken() {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            if (i > 0 && i % 5 == 0) {
                sb.append('-');
            }
            sb.append(TOKEN_ALPHABET.charAt(random.nextInt(TOKEN_ALPHABET.length())));
        }
        return sb.toString();
    }
}
