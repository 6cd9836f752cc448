package org.mailkeep.backup;

import jakarta.enterprise.context.ApplicationScoped;
import org.mailkeep.store.Database;
import org.mailkeep.store.MessageStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Exports a mailbox as one mbox file (the "mboxrd" variant: every line that starts with {@code >*From } gets
 * one more '>', so the export is reversible), for a GDPR access request or a move to another provider.
 * Each message is preceded by an {@code X-Folder} line naming its folder and is otherwise exported as stored. Streams message by message: memory stays small for any mailbox size.
 */
@ApplicationScoped
public class MboxExport {

    /** asctime() form of the "From " line (RFC 4155 §2). */
    private static final DateTimeFormatter FROM_DATE = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);

    private record Row(String folder, String file, long internalDate) {
    }

    private final Database db;
    private final MessageStore store;

    public MboxExport(Database db, MessageStore store) {
        this.db = db;
        this.store = store;
    }

    public boolean exists(String address) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM accounts WHERE address = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** Writes every message of {@code address} (all folders, in folder and UID order) to {@code out}; returns the count. */
    public int export(String address, OutputStream out) throws IOException {
        List<Row> rows = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT b.name, m.file, mm.internal_date FROM accounts a JOIN mailboxes b ON b.account_id = a.id
                    JOIN mailbox_messages mm ON mm.mailbox_id = b.id JOIN messages m ON m.id = mm.message_id
                    WHERE a.address = ? ORDER BY b.name, mm.uid""")) {
                ps.setString(1, address);
                List<Row> result = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        result.add(new Row(rs.getString(1), rs.getString(2), rs.getLong(3)));
                    }
                }
                return result;
            }
        });
        for (Row row : rows) {
            out.write(("From MAILER-DAEMON " + FROM_DATE.format(Instant.ofEpochMilli(row.internalDate())) + "\n").getBytes(StandardCharsets.US_ASCII));
            out.write(("X-Folder: " + row.folder() + "\n").getBytes(StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(store.file(row.file()));
                 BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.matches(">*From .*")) {
                        out.write('>');
                    }
                    out.write(line.getBytes(StandardCharsets.ISO_8859_1)); // bytes as stored, whatever their charset
                    out.write('\n');
                }
            }
            out.write('\n');
        }
        return rows.size();
    }
}
