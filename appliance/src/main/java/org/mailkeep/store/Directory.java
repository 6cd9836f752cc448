package org.mailkeep.store;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.auth.PasswordHasher;
import org.mailkeep.box.ConflictException;
import org.mailkeep.box.NotFoundException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Local domains, accounts (one per mailbox address) and aliases, and the recipient lookup the SMTP
 * server uses. Renaming an account changes only its address: its IMAP mailboxes hang off the account id,
 * so all mail stays.
 */
@ApplicationScoped
public class Directory {

    /** The standard folders every account gets, with their RFC 6154 special-use attribute. */
    public static final List<String[]> DEFAULT_MAILBOXES = List.of(
            new String[] {"INBOX", null},
            new String[] {"Sent", "\\Sent"},
            new String[] {"Drafts", "\\Drafts"},
            new String[] {"Junk", "\\Junk"},
            new String[] {"Trash", "\\Trash"},
            new String[] {"Archive", "\\Archive"});

    /** An account as the API and the mail protocols see it. */
    public record Account(long id, String address, String displayName, long quotaBytes) {
    }

    public record Alias(String alias, String target) {
    }

    private static final int MAX_ALIAS_DEPTH = 8;

    private final Database db;
    private final PasswordHasher hasher;
    private final Iterable<AccountCredentials> otherCredentials;

    @jakarta.inject.Inject
    public Directory(Database db, jakarta.enterprise.inject.Instance<AccountCredentials> otherCredentials) {
        this(db, new PasswordHasher(), otherCredentials);
    }

    public Directory(Database db, PasswordHasher hasher) {
        this(db, hasher, List.of());
    }

    public Directory(Database db, PasswordHasher hasher, Iterable<AccountCredentials> otherCredentials) {
        this.db = db;
        this.hasher = hasher;
        this.otherCredentials = otherCredentials;
    }

    // ---- domains ----

    public void addDomain(String domain) {
        String normalized = Address.normalizeDomain(domain).orElseThrow(() -> new IllegalArgumentException("invalid domain: " + domain));
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT OR IGNORE INTO domains(name, created_at) VALUES(?, ?)")) {
                ps.setString(1, normalized);
                ps.setLong(2, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public boolean isLocalDomain(String domain) {
        Optional<String> normalized = Address.normalizeDomain(domain);
        return normalized.isPresent() && db.read(c -> exists(c, "SELECT 1 FROM domains WHERE name = ?", normalized.get()));
    }

    public List<String> domains() {
        return db.read(c -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM domains ORDER BY name"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(rs.getString(1));
                }
            }
            return result;
        });
    }

    // ---- accounts ----

    /** Creates an account with the standard folders. The address's domain becomes a local domain. */
    public Account createAccount(Address address, String password, String displayName) {
        String hash = hasher.hash(password);
        addDomain(address.domain());
        long now = System.currentTimeMillis();
        long id = db.write(c -> {
            if (exists(c, "SELECT 1 FROM accounts WHERE address = ?", address.toString())
                    || exists(c, "SELECT 1 FROM aliases WHERE alias = ?", address.toString())) {
                throw new ConflictException("address already exists: " + address);
            }
            long accountId;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO accounts(address, display_name, password_hash, created_at) VALUES(?, ?, ?, ?)",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, address.toString());
                ps.setString(2, displayName);
                ps.setString(3, hash);
                ps.setLong(4, now);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    accountId = keys.getLong(1);
                }
            }
            for (String[] mailbox : DEFAULT_MAILBOXES) {
                createMailbox(c, accountId, mailbox[0], mailbox[1]);
            }
            return accountId;
        });
        return new Account(id, address.toString(), displayName, 0);
    }

    /** Inserts an IMAP mailbox; its UIDVALIDITY is unique across the database's lifetime (RFC 3501 §2.3.1.1). */
    public static long createMailbox(Connection c, long accountId, String name, String specialUse) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO mailboxes(account_id, name, special_use, uidvalidity) VALUES(?, ?, ?, ?)",
                PreparedStatement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, accountId);
            ps.setString(2, name);
            ps.setString(3, specialUse);
            ps.setLong(4, nextUidValidity(c));
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** A UIDVALIDITY strictly greater than any used before, seeded from the clock (as Dovecot does) and kept in settings. */
    private static long nextUidValidity(Connection c) throws SQLException {
        long last = 0;
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM settings WHERE key = 'store.last-uidvalidity'");
             ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                last = Long.parseLong(rs.getString(1));
            }
        }
        long next = Math.max(last + 1, System.currentTimeMillis() / 1000);
        next = Math.min(next, 0xFFFFFFFFL); // nz-number is 32 bits (RFC 3501 §9)
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO settings(key, value) VALUES('store.last-uidvalidity', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, Long.toString(next));
            ps.executeUpdate();
        }
        return next;
    }

    public List<Account> accounts() {
        return db.read(c -> {
            List<Account> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(ACCOUNT_QUERY + " ORDER BY a.address"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(account(rs));
                }
            }
            return result;
        });
    }

    public Optional<Account> account(String address) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(ACCOUNT_QUERY + " WHERE a.address = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(account(rs)) : Optional.empty();
                }
            }
        });
    }

    private static final String ACCOUNT_QUERY = "SELECT a.id, a.address, a.display_name, a.quota_bytes FROM accounts a";

    /** An account's quota in octets (0: none) and the octets of mail it holds. */
    public record Usage(long quotaBytes, long usedBytes) {
    }

    /**
     * An account's current quota and use, in one read: the use is the running counter of the store schema's triggers
     * (account_usage), never a sum over messages. {0, 0} for an unknown account.
     */
    public Usage usage(long accountId) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT a.quota_bytes, (SELECT bytes FROM account_usage u WHERE u.account_id = a.id) FROM accounts a WHERE a.id = ?")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new Usage(rs.getLong(1), rs.getLong(2)) : new Usage(0, 0);
                }
            }
        });
    }

    /** Octets of mail an account holds (its quota use). */
    public long usedBytes(long accountId) {
        return usage(accountId).usedBytes();
    }

    private static Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4));
    }

    /**
     * Checks a login; returns the account when the password or one of its other credentials (an app password)
     * matches. The other credentials are random secrets with a fast hash, so they are tried before Argon2id.
     */
    public Optional<Account> authenticate(String address, String password) {
        record Stored(long id, String hash) {
        }
        Optional<Stored> stored = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, password_hash FROM accounts WHERE address = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Stored(rs.getLong(1), rs.getString(2))) : Optional.<Stored>empty();
                }
            }
        });
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        for (AccountCredentials credentials : otherCredentials) {
            if (credentials.matches(stored.get().id(), password)) {
                return account(address);
            }
        }
        if (!PasswordHasher.verify(password, stored.get().hash())) {
            return Optional.empty();
        }
        if (hasher.needsRehash(stored.get().hash())) {
            setPassword(address, password);
        }
        return account(address);
    }

    public void setPassword(String address, String password) {
        String hash = hasher.hash(password);
        updateAccount(address, "UPDATE accounts SET password_hash = ? WHERE address = ?", hash);
    }

    /** Sets the account's quota in octets (0 = none). */
    public void setQuota(String address, long quotaBytes) {
        if (quotaBytes < 0) {
            throw new IllegalArgumentException("a quota cannot be negative");
        }
        updateAccount(address, "UPDATE accounts SET quota_bytes = ? WHERE address = ?", quotaBytes);
    }

    /**
     * Whether {@code moreBytes} more octets would take the account past its quota (RFC 3463 §3.3 X.2.2 "mailbox full");
     * with {@code moreBytes} 0: whether it is full already. Never for an account without a quota.
     */
    public boolean overQuota(Account account, long moreBytes) {
        Usage usage = usage(account.id()); // the quota as stored now: a logged-in session's Account may predate a change
        if (usage.quotaBytes() <= 0) {
            return false;
        }
        return moreBytes == 0 ? usage.usedBytes() >= usage.quotaBytes() : usage.usedBytes() + moreBytes > usage.quotaBytes();
    }

    public void setDisplayName(String address, String displayName) {
        updateAccount(address, "UPDATE accounts SET display_name = ? WHERE address = ?", displayName);
    }

    /** Renames an account; mailboxes and messages stay with it. Aliases pointing at the old address follow. */
    public void rename(String address, Address newAddress) {
        addDomain(newAddress.domain());
        db.write(c -> {
            if (exists(c, "SELECT 1 FROM accounts WHERE address = ?", newAddress.toString())
                    || exists(c, "SELECT 1 FROM aliases WHERE alias = ?", newAddress.toString())) {
                throw new ConflictException("address already exists: " + newAddress);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET address = ? WHERE address = ?")) {
                ps.setString(1, newAddress.toString());
                ps.setString(2, address);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("no such mailbox: " + address);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE aliases SET target = ? WHERE target = ?")) {
                ps.setString(1, newAddress.toString());
                ps.setString(2, address);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Deletes an account and its mail index entries; message files whose last reference goes are removed by {@link MessageStore#collectGarbage()}. */
    public void deleteAccount(String address) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE messages SET refcount = refcount - (SELECT COUNT(*) FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id "
                            + "JOIN accounts a ON a.id = b.account_id WHERE a.address = ? AND mm.message_id = messages.id) "
                            + "WHERE id IN (SELECT mm.message_id FROM mailbox_messages mm JOIN mailboxes b ON b.id = mm.mailbox_id "
                            + "JOIN accounts a ON a.id = b.account_id WHERE a.address = ?)")) {
                ps.setString(1, address);
                ps.setString(2, address);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM accounts WHERE address = ?")) {
                ps.setString(1, address);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("no such mailbox: " + address);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM aliases WHERE target = ?")) {
                ps.setString(1, address);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void updateAccount(String address, String sql, Object value) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, value);
                ps.setString(2, address);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("no such mailbox: " + address);
                }
            }
            return null;
        });
    }

    // ---- aliases ----

    public void createAlias(Address alias, Address target) {
        db.write(c -> {
            if (exists(c, "SELECT 1 FROM accounts WHERE address = ?", alias.toString())
                    || exists(c, "SELECT 1 FROM aliases WHERE alias = ?", alias.toString())) {
                throw new ConflictException("address already exists: " + alias);
            }
            if (!exists(c, "SELECT 1 FROM accounts WHERE address = ?", target.toString())
                    && !exists(c, "SELECT 1 FROM aliases WHERE alias = ?", target.toString())) {
                throw new NotFoundException("alias target is not a local mailbox or alias: " + target);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO aliases(alias, target, created_at) VALUES(?, ?, ?)")) {
                ps.setString(1, alias.toString());
                ps.setString(2, target.toString());
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return null;
        });
        addDomain(alias.domain());
    }

    public List<Alias> aliases() {
        return db.read(c -> {
            List<Alias> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT alias, target FROM aliases ORDER BY alias"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(new Alias(rs.getString(1), rs.getString(2)));
                }
            }
            return result;
        });
    }

    public void deleteAlias(String alias) {
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM aliases WHERE alias = ?")) {
                ps.setString(1, alias);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("no such alias: " + alias);
                }
            }
            return null;
        });
    }

    // ---- recipients ----

    /**
     * The account that receives mail for {@code recipient}: the account itself, via an alias (followed up to
     * a few levels), or via sub-addressing {@code user+tag@domain}. Empty when nobody receives it.
     */
    public Optional<Account> resolveRecipient(Address recipient) {
        Address current = recipient;
        for (int depth = 0; depth < MAX_ALIAS_DEPTH; depth++) {
            Optional<Account> account = account(current.toString());
            if (account.isPresent()) {
                return account;
            }
            Optional<String> target = aliasTarget(current.toString());
            if (target.isEmpty() && !current.withoutTag().equals(current)) {
                current = current.withoutTag();
                continue;
            }
            if (target.isEmpty()) {
                return Optional.empty();
            }
            current = Address.parse(target.get()).orElseThrow();
        }
        return Optional.empty();
    }

    private Optional<String> aliasTarget(String alias) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT target FROM aliases WHERE alias = ?")) {
                ps.setString(1, alias);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
