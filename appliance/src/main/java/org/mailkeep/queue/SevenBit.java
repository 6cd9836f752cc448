package org.mailkeep.queue;

import org.apache.james.mime4j.dom.BinaryBody;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.field.Fields;
import org.apache.james.mime4j.message.BodyFactory;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.stream.MimeConfig;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The 7-bit form of a message for a server without 8BITMIME (RFC 6152 §3: an 8-bit body must not go to such a
 * server; it is converted instead): each leaf part labelled 8bit or binary, or holding 8-bit bytes, is
 * re-encoded as quoted-printable (text) or base64 (anything else) and relabelled (RFC 2045 §6); composite
 * parts (multipart, message/rfc822) are converted inside and become 7bit (RFC 2046 §5: they must not be
 * encoded themselves). mime4j parses and writes; part bodies are kept in temporary files in {@code workDir},
 * never in memory, and deleted when done. Header fields are written back as they were.
 * <p>The caller signs the converted copy (DKIM): a signature over the 8-bit original would not verify.
 */
final class SevenBit {

    /** The message cannot be parsed as MIME at all: nothing can be converted (RFC 3463 5.6.3). */
    static final class Unconvertible extends IOException {
        Unconvertible(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private SevenBit() {
    }

    /** Writes the 7-bit form of {@code message} to {@code out}. */
    static void convert(InputStream message, OutputStream out, Path workDir) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderCount(1000).setMaxHeaderLen(64 * 1024)
                .setMaxContentLen(-1).build());
        FileBodies bodies = new FileBodies(workDir);
        builder.setBodyFactory(bodies);
        try {
            Message parsed;
            try {
                parsed = builder.parseMessage(message);
            } catch (org.apache.james.mime4j.MimeIOException e) {
                throw new Unconvertible("not convertible MIME: " + e.getMessage(), e);
            }
            downgrade(parsed);
            if (parsed.getHeader().getField("MIME-Version") == null) {
                parsed.getHeader().addField(Fields.version("1.0")); // RFC 2045 §4: the new encoding means nothing without it
            }
            new DefaultMessageWriter().writeMessage(parsed, out);
        } finally {
            bodies.deleteAll();
        }
    }

    private static void downgrade(Entity entity) throws IOException {
        Body body = entity.getBody();
        String encoding = entity.getContentTransferEncoding().toLowerCase(Locale.ROOT);
        if (body instanceof Multipart multipart) {
            for (Entity part : multipart.getBodyParts()) {
                downgrade(part);
            }
            relabelComposite(entity, encoding);
        } else if (body instanceof Message inner) {
            downgrade(inner);
            relabelComposite(entity, encoding);
        } else if (body instanceof SingleBody single) {
            boolean eightBit = has8bit(single);
            if (eightBit || encoding.equals("8bit") || encoding.equals("binary")) {
                // binary may hold bare CR/LF and NULs (RFC 2045 §2.9): only base64 keeps those; text becomes quoted-printable
                boolean text = body instanceof TextBody && !encoding.equals("binary");
                String target = eightBit || encoding.equals("binary") ? (text ? "quoted-printable" : "base64") : "7bit";
                entity.getHeader().setField(Fields.contentTransferEncoding(target));
            }
        }
    }

    private static void relabelComposite(Entity entity, String encoding) {
        if (encoding.equals("8bit") || encoding.equals("binary")) {
            entity.getHeader().setField(Fields.contentTransferEncoding("7bit"));
        }
    }

    private static boolean has8bit(SingleBody body) throws IOException {
        try (InputStream in = new BufferedInputStream(body.getInputStream())) {
            int b;
            while ((b = in.read()) != -1) {
                if (b >= 0x80) {
                    return true;
                }
            }
            return false;
        }
    }

    /** mime4j's BodyFactory, keeping each (decoded) part body in a temporary file instead of a byte array. */
    private static final class FileBodies implements BodyFactory {
        private final Path dir;
        private final List<Path> files = new ArrayList<>();

        FileBodies(Path dir) {
            this.dir = dir;
        }

        private Path store(InputStream in) throws IOException {
            Path file = Files.createTempFile(dir, "7bit-", ".part");
            files.add(file);
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        }

        @Override
        public BinaryBody binaryBody(InputStream in) throws IOException {
            Path file = store(in);
            return new BinaryBody() {
                @Override
                public InputStream getInputStream() throws IOException {
                    return Files.newInputStream(file);
                }
            };
        }

        @Override
        public TextBody textBody(InputStream in, String mimeCharset) throws IOException {
            Path file = store(in);
            Charset charset = charsetOf(mimeCharset);
            return new TextBody() {
                @Override
                public String getMimeCharset() {
                    return mimeCharset;
                }

                @Override
                public Charset getCharset() {
                    return charset;
                }

                @Override
                public Reader getReader() throws IOException {
                    return new InputStreamReader(getInputStream(), charset);
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    return Files.newInputStream(file);
                }
            };
        }

        private static Charset charsetOf(String name) {
            try {
                return name == null ? StandardCharsets.US_ASCII : Charset.forName(name);
            } catch (IllegalArgumentException e) {
                return StandardCharsets.UTF_8; // only for getReader(); the bytes are copied as they are
            }
        }

        void deleteAll() throws IOException {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }
}
