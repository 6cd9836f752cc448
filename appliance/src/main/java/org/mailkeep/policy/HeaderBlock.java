package org.mailkeep.policy;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The top-level header fields of a spooled message, read once per transaction with mime4j (the body is never read)
 * and shared by the checks through {@link SmtpContext#headers(Path)}. Unfolded values (RFC 5322 §2.2.3).
 */
public record HeaderBlock(List<Field> fields, boolean truncated) {

    /** Bounded so that a hostile header section cannot exhaust memory. */
    static final int MAX_FIELDS = 1000;
    static final int MAX_FIELD_LENGTH = 64 * 1024;

    public static HeaderBlock read(Path message) {
        MimeConfig config = new MimeConfig.Builder().setMaxHeaderCount(MAX_FIELDS).setMaxHeaderLen(MAX_FIELD_LENGTH)
                .setMaxLineLen(-1).build();
        MimeTokenStream stream = new MimeTokenStream(config);
        List<Field> fields = new ArrayList<>();
        try (InputStream in = Files.newInputStream(message)) {
            stream.parse(in);
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                if (state == EntityState.T_FIELD) {
                    fields.add(stream.getField());
                } else if (state == EntityState.T_END_HEADER) {
                    return new HeaderBlock(List.copyOf(fields), false);
                }
            }
            return new HeaderBlock(List.copyOf(fields), false);
        } catch (MimeException e) {
            return new HeaderBlock(List.copyOf(fields), true); // limits exceeded or garbage: judge what was read
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spooled message " + message, e);
        }
    }

    public List<String> all(String name) {
        return fields.stream().filter(f -> f.getName().equalsIgnoreCase(name)).map(HeaderBlock::value).toList();
    }

    public Optional<String> first(String name) {
        return all(name).stream().findFirst();
    }

    /** The unfolded value of a field. */
    public static String value(Field field) {
        String body = field.getBody();
        return body == null ? "" : body.replaceAll("\r?\n[ \t]", " ").trim();
    }

    public boolean has(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return fields.stream().anyMatch(f -> f.getName().toLowerCase(Locale.ROOT).equals(n));
    }
}
