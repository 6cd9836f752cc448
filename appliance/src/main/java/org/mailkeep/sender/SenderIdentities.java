package org.mailkeep.sender;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Address;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Database;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The addresses a mailbox may send as: its own address (with any {@code +tag}), every alias that delivers to it,
 * and the ones the admin granted it (a shared {@code info@} that delivers elsewhere, say). Submission accepts only
 * these as envelope sender and in {@code From:} ({@link SenderIdentityCheck}); MailKeep DKIM-signs what it accepts,
 * so DMARC alignment (RFC 7489 §3.1) proves no more than this list allows.
 */
@ApplicationScoped
public class SenderIdentities {

    /** One identity and where it comes from: {@code own}, {@code alias} or {@code granted}. */
    public record Identity(String address, String source) {
    }

    private final Database db;
    private final Directory directory;

    public SenderIdentities(Database db, Directory directory) {
        this.db = db;
        this.directory = directory;
    }

    /** Whether {@code account} may send as {@code address}. */
    public boolean mayUse(Directory.Account account, String address) {
        Optional<Address> parsed = Address.parse(address);
        if (parsed.isEmpty()) {
            return false;
        }
        if (directory.resolveRecipient(parsed.get()).map(a -> a.id() == account.id()).orElse(false)) {
            return true;
        }
        return granted(account.id()).stream().anyMatch(g -> g.equalsIgnoreCase(parsed.get().toString())
                || g.equalsIgnoreCase(parsed.get().withoutTag().toString()));
    }

    /** Every identity of {@code address}'s mailbox; 404 when there is no such mailbox. */
    public List<Identity> list(String address) {
        Directory.Account account = account(address);
        List<Identity> result = new ArrayList<>();
        result.add(new Identity(account.address(), "own"));
        for (Directory.Alias alias : directory.aliases()) {
            Optional<Address> parsed = Address.parse(alias.alias());
            if (parsed.isPresent() && directory.resolveRecipient(parsed.get()).map(a -> a.id() == account.id()).orElse(false)) {
                result.add(new Identity(alias.alias(), "alias"));
            }
        }
        granted(account.id()).forEach(g -> result.add(new Identity(g, "granted")));
        return result;
    }

    /** Lets {@code address}'s mailbox send as {@code identity} (an address of a hosted domain); 409 when it may already. */
    public Identity grant(String address, Address identity) {
        Directory.Account account = account(address);
        if (!directory.isLocalDomain(identity.domain())) {
            throw new org.mailkeep.box.InvalidInput("address", identity.domain() + " is not a domain of this box: only its own addresses can be granted");
        }
        if (mayUse(account, identity.toString())) {
            throw new ConflictException(address + " may already send as " + identity);
        }
        db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sender_grants(account_id, address, created_at) VALUES(?, ?, ?)")) {
                ps.setLong(1, account.id());
                ps.setString(2, identity.toString());
                ps.setLong(3, System.currentTimeMillis());
                ps.executeUpdate();
            }
            return null;
        });
        return new Identity(identity.toString(), "granted");
    }

    /** Withdraws a granted identity; 404 when it was not granted (own addresses and aliases go with the mailbox or alias). */
    public void revoke(String address, String identity) {
        Directory.Account account = account(address);
        int removed = db.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sender_grants WHERE account_id = ? AND address = ?")) {
                ps.setLong(1, account.id());
                ps.setString(2, identity);
                return ps.executeUpdate();
            }
        });
        if (removed == 0) {
            throw new NotFoundException(identity + " is not a granted sender identity of " + address);
        }
    }

    private List<String> granted(long accountId) {
        return db.read(c -> {
            List<String> result = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT address FROM sender_grants WHERE account_id = ? ORDER BY address")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(rs.getString(1));
                    }
                }
            }
            return result;
        });
    }

    private Directory.Account account(String address) {
        return directory.account(address).orElseThrow(() -> new NotFoundException("no such mailbox: " + address));
    }
}
