package org.mailkeep.imap;

import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Group;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.dom.field.ContentDispositionField;
import org.apache.james.mime4j.dom.field.ContentTypeField;
import org.apache.james.mime4j.field.ContentDispositionFieldLenientImpl;
import org.apache.james.mime4j.field.ContentTypeFieldLenientImpl;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.mime4j.stream.RawField;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The MIME tree of a stored message with the byte offsets of every part, built in one streaming pass
 * (memory: one line and the headers, never a body). mime4j parses the header fields (Content-Type,
 * Content-Disposition, addresses); the part boundaries are located here by hand because IMAP needs exact
 * byte offsets and line counts of each part (RFC 3501 §6.4.5, §7.4.2), which mime4j's parsers do not expose.
 */
public final class MimeStructure {

    /** Headers larger than this are cut (the rest of the header block is still skipped correctly). */
    static final int MAX_HEADER = 256 * 1024;
    /** Deepest MIME nesting followed; deeper parts are treated as opaque bodies. */
    static final int MAX_DEPTH = 32;

    /** One entity: a message or a body part. Offsets are from the start of the file; {@code end} is exclusive. */
    public static final class Part {
        public long headerStart;
        public long bodyStart;
        public long end;
        public long bodyLines;
        public String header = "";
        public String type = "text";
        public String subtype = "plain";
        public Map<String, String> params = Map.of();
        public final List<Part> children = new ArrayList<>();
        /** The encapsulated message of a message/rfc822 part. */
        public Part message;

        public boolean isMultipart() {
            return type.equals("multipart");
        }

        public boolean isMessage() {
            return type.equals("message") && (subtype.equals("rfc822") || subtype.equals("global"));
        }

        /** The unfolded value of the first header field named {@code name}, or null. */
        public String field(String name) {
            for (String[] f : fields(header)) {
                if (f[0].equalsIgnoreCase(name)) {
                    return f[1];
                }
            }
            return null;
        }
    }

    private final InputStream in;
    private long offset;
    private int eolLength;
    private final byte[] lineBuf = new byte[1024];
    private final byte[] buf = new byte[16384];
    private int bufPos;
    private int bufEnd;
    private int lineLen;
    private long lineStart;
    private long lineFullLength;
    private boolean pushedBack;
    private boolean eof;
    private long totalLines;
    private boolean headerOnly;

    private MimeStructure(InputStream in) {
        this.in = in;
    }

    /** Parses a whole message from {@code in} (buffered by the caller). */
    public static Part parse(InputStream in) throws IOException {
        MimeStructure parser = new MimeStructure(in);
        Part root = parser.entity(new ArrayList<>(), false, 0);
        root.end = parser.offset;
        return root;
    }

    /** Parses only the top header of a message (for BODY[HEADER...] without reading the body). */
    public static Part parseHeader(InputStream in) throws IOException {
        MimeStructure parser = new MimeStructure(in);
        parser.headerOnly = true;
        return parser.entity(new ArrayList<>(), false, 0);
    }

    /** Reads one line into lineBuf (first 1024 bytes kept); false at end of input. */
    private boolean readLine() throws IOException {
        if (pushedBack) {
            pushedBack = false;
            return true;
        }
        if (eof) {
            return false;
        }
        lineStart = offset;
        lineLen = 0;
        long length = 0;
        while (true) {
            if (bufPos == bufEnd) {
                bufEnd = in.read(buf, 0, buf.length);
                bufPos = 0;
                if (bufEnd <= 0) {
                    bufEnd = 0;
                    break;
                }
            }
            byte b = buf[bufPos++];
            length++;
            if (lineLen < lineBuf.length) {
                lineBuf[lineLen++] = b;
            }
            if (b == '\n') {
                break;
            }
        }
        if (length == 0) {
            eof = true;
            return false;
        }
        offset += length;
        lineFullLength = length;
        totalLines++;
        return true;
    }

    private int lineEol() {
        if (lineLen > 0 && lineBuf[lineLen - 1] == '\n') {
            return lineLen > 1 && lineBuf[lineLen - 2] == '\r' ? 2 : 1;
        }
        return 0;
    }

    /** 1 when the current line is "--b" of a boundary in {@code boundaries} (index+1 returned), or -(index+1) for "--b--"; 0 if none. */
    private int boundary(List<String> boundaries) {
        if (lineLen < 3 || lineBuf[0] != '-' || lineBuf[1] != '-') {
            return 0;
        }
        int end = lineLen;
        while (end > 2 && (lineBuf[end - 1] == '\n' || lineBuf[end - 1] == '\r' || lineBuf[end - 1] == ' ' || lineBuf[end - 1] == '\t')) {
            end--;
        }
        String text = new String(lineBuf, 2, end - 2, StandardCharsets.ISO_8859_1);
        for (int i = boundaries.size() - 1; i >= 0; i--) {
            String b = boundaries.get(i);
            if (text.equals(b)) {
                return i + 1;
            }
            if (text.length() == b.length() + 2 && text.startsWith(b) && text.endsWith("--")) {
                return -(i + 1);
            }
        }
        return 0;
    }

    private Part entity(List<String> boundaries, boolean digest, int depth) throws IOException {
        Part part = new Part();
        part.headerStart = offset;
        if (digest) {
            part.type = "message";
            part.subtype = "rfc822";
        }
        StringBuilder header = new StringBuilder();
        boolean bodyFollows = false;
        while (readLine()) {
            if (boundary(boundaries) != 0) {
                pushedBack = true;
                break;
            }
            if (lineEol() == lineLen) { // the empty line ending the header
                bodyFollows = true;
                break;
            }
            if (header.length() < MAX_HEADER) {
                header.append(new String(lineBuf, 0, lineLen, StandardCharsets.UTF_8));
                if (lineFullLength > lineLen) {
                    header.append("\r\n");
                }
            }
        }
        part.header = header.toString();
        part.bodyStart = pushedBack ? lineStart : offset;
        ContentTypeField contentType = contentType(part.field("Content-Type"));
        if (contentType != null && contentType.getMediaType() != null && !contentType.getMediaType().isEmpty()) {
            part.type = contentType.getMediaType().toLowerCase(Locale.ROOT);
            part.subtype = contentType.getSubType() == null ? "" : contentType.getSubType().toLowerCase(Locale.ROOT);
            part.params = contentType.getParameters();
        } else if (!digest) {
            part.params = Map.of("charset", "us-ascii");
        }
        if (!bodyFollows || headerOnly) {
            part.end = part.bodyStart;
            return part;
        }
        String boundary = part.isMultipart() ? part.params.get("boundary") : null;
        if (boundary != null && !boundary.isEmpty() && depth < MAX_DEPTH) {
            multipart(part, boundaries, boundary, depth);
        } else if (part.isMessage() && depth < MAX_DEPTH) {
            long before = consumedLines();
            part.message = entity(boundaries, false, depth + 1);
            part.end = part.message.end;
            part.bodyLines = consumedLines() - before;
        } else {
            leaf(part, boundaries);
        }
        return part;
    }

    /** Lines consumed so far (a pushed-back line is not consumed yet). */
    private long consumedLines() {
        return totalLines - (pushedBack ? 1 : 0);
    }

    /** Reads a leaf body up to an enclosing boundary (whose preceding CRLF belongs to the delimiter, RFC 2046 §5.1.1). */
    private void leaf(Part part, List<String> boundaries) throws IOException {
        long lines = 0;
        long end = offset;
        int lastEol = 0;
        while (readLine()) {
            if (boundary(boundaries) != 0) {
                pushedBack = true;
                end = Math.max(part.bodyStart, lineStart - lastEol);
                part.end = end;
                part.bodyLines = lines;
                return;
            }
            lines++;
            lastEol = lineEol();
            end = offset;
        }
        part.end = end;
        part.bodyLines = lines;
    }

    private void multipart(Part part, List<String> boundaries, String boundary, int depth) throws IOException {
        List<String> inner = new ArrayList<>(boundaries);
        inner.add(boundary);
        int own = inner.size();
        long lines = 0;
        boolean digest = part.subtype.equals("digest");
        // preamble
        while (readLine()) {
            int b = boundary(inner);
            if (b == own) {
                break;
            }
            if (b != 0) { // an enclosing boundary or our close marker before any part
                pushedBack = b != -own;
                part.end = pushedBack ? lineStart : offset;
                return;
            }
            lines++;
        }
        while (!eof) {
            Part child = entity(inner, digest, depth + 1);
            part.children.add(child);
            if (!readLine()) {
                break;
            }
            int b = boundary(inner);
            if (b == own) {
                continue;
            }
            if (b == -own) { // close delimiter: the epilogue runs to an enclosing boundary or the end
                int lastEol = 0;
                long end = offset;
                while (readLine()) {
                    if (boundary(boundaries) != 0) {
                        pushedBack = true;
                        end = Math.max(part.bodyStart, lineStart - lastEol);
                        part.end = end;
                                part.bodyLines = lines;
                        return;
                    }
                    lastEol = lineEol();
                    end = offset;
                }
                part.end = end;
                part.bodyLines = lines;
                return;
            }
            pushedBack = true; // an enclosing boundary: this multipart was not closed
            part.end = lineStart;
            return;
        }
        part.end = offset;
        part.bodyLines = lines;
    }

    // ---- header fields ----

    /** Unfolded fields of a header block, as {name, value}. */
    public static List<String[]> fields(String header) {
        List<String[]> fields = new ArrayList<>();
        String[] lines = header.split("\r?\n");
        StringBuilder current = null;
        String name = null;
        for (String line : lines) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && current != null) {
                current.append(line);
                continue;
            }
            if (current != null) {
                fields.add(new String[] {name, current.toString().trim()});
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                current = null;
                continue;
            }
            name = line.substring(0, colon).trim();
            current = new StringBuilder(line.substring(colon + 1));
        }
        if (current != null) {
            fields.add(new String[] {name, current.toString().trim()});
        }
        return fields;
    }

    private static ContentTypeField contentType(String value) {
        return value == null ? null : ContentTypeFieldLenientImpl.PARSER.parse(new RawField("Content-Type", value), DecodeMonitor.SILENT);
    }

    // ---- ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2) ----

    /** The ENVELOPE of a message entity. */
    public static String envelope(Part message) {
        StringBuilder out = new StringBuilder("(");
        ImapEncoding.nstring(out, message.field("Date"));
        out.append(' ');
        ImapEncoding.nstring(out, message.field("Subject"));
        String from = message.field("From");
        String sender = message.field("Sender");
        String replyTo = message.field("Reply-To");
        out.append(' ').append(addresses(from));
        // RFC 3501 §7.4.2: sender and reply-to default to from
        out.append(' ').append(addresses(sender == null || sender.isBlank() ? from : sender));
        out.append(' ').append(addresses(replyTo == null || replyTo.isBlank() ? from : replyTo));
        out.append(' ').append(addresses(message.field("To")));
        out.append(' ').append(addresses(message.field("Cc")));
        out.append(' ').append(addresses(message.field("Bcc")));
        out.append(' ');
        ImapEncoding.nstring(out, message.field("In-Reply-To"));
        out.append(' ');
        ImapEncoding.nstring(out, message.field("Message-ID"));
        return out.append(')').toString();
    }

    private static String addresses(String value) {
        if (value == null || value.isBlank()) {
            return "NIL";
        }
        AddressList list = LenientAddressParser.DEFAULT.parseAddressList(value);
        if (list == null || list.isEmpty()) {
            return "NIL";
        }
        StringBuilder out = new StringBuilder("(");
        for (Address address : list) {
            if (address instanceof Mailbox mailbox) {
                mailbox(out, mailbox);
            } else if (address instanceof Group group) {
                // group syntax: start marker (NIL NIL "name" NIL), members, end marker (NIL NIL NIL NIL)
                out.append("(NIL NIL ");
                ImapEncoding.nstring(out, group.getName());
                out.append(" NIL)");
                for (Mailbox member : group.getMailboxes()) {
                    mailbox(out, member);
                }
                out.append("(NIL NIL NIL NIL)");
            }
        }
        return out.append(')').toString();
    }

    private static void mailbox(StringBuilder out, Mailbox mailbox) {
        out.append('(');
        String name = mailbox.getName();
        if (name != null && !name.chars().allMatch(c -> c < 127)) {
            name = EncoderUtil.encodeEncodedWord(name, EncoderUtil.Usage.WORD_ENTITY);
        }
        ImapEncoding.nstring(out, name == null || name.isEmpty() ? null : name);
        out.append(' ');
        ImapEncoding.nstring(out, mailbox.getRoute() == null || mailbox.getRoute().isEmpty() ? null : mailbox.getRoute().toRouteString());
        out.append(' ');
        ImapEncoding.nstring(out, mailbox.getLocalPart());
        out.append(' ');
        ImapEncoding.nstring(out, mailbox.getDomain());
        out.append(')');
    }

    /** BODYSTRUCTURE ({@code extended}) or BODY of an entity. */
    public static String bodyStructure(Part part, boolean extended) {
        StringBuilder out = new StringBuilder();
        body(out, part, extended);
        return out.toString();
    }

    private static void body(StringBuilder out, Part part, boolean extended) {
        out.append('(');
        if (part.isMultipart() && !part.children.isEmpty()) {
            for (Part child : part.children) {
                body(out, child, extended);
            }
            out.append(' ');
            ImapEncoding.string(out, part.subtype.toUpperCase(Locale.ROOT), false);
            if (extended) {
                out.append(' ').append(params(part.params));
                extension(out, part);
            }
            out.append(')');
            return;
        }
        String type = part.isMultipart() ? "text" : part.type; // a multipart without parts is shown as text/plain
        String subtype = part.isMultipart() ? "plain" : part.subtype;
        ImapEncoding.string(out, type.toUpperCase(Locale.ROOT), false);
        out.append(' ');
        ImapEncoding.string(out, subtype.toUpperCase(Locale.ROOT), false);
        out.append(' ').append(params(part.params)).append(' ');
        ImapEncoding.nstring(out, part.field("Content-ID"));
        out.append(' ');
        ImapEncoding.nstring(out, part.field("Content-Description"));
        out.append(' ');
        String encoding = part.field("Content-Transfer-Encoding");
        ImapEncoding.string(out, encoding == null || encoding.isBlank() ? "7BIT" : encoding.trim().toUpperCase(Locale.ROOT), false);
        out.append(' ').append(part.end - part.bodyStart);
        if (part.isMessage() && part.message != null) {
            out.append(' ').append(envelope(part.message)).append(' ');
            body(out, part.message, extended);
            out.append(' ').append(part.bodyLines);
        } else if (type.equals("text")) {
            out.append(' ').append(part.bodyLines);
        }
        if (extended) {
            out.append(' ');
            ImapEncoding.nstring(out, part.field("Content-MD5"));
            extension(out, part);
        }
        out.append(')');
    }

    /** body-ext: disposition, language, location. */
    private static void extension(StringBuilder out, Part part) {
        out.append(' ');
        String disposition = part.field("Content-Disposition");
        ContentDispositionField field = disposition == null ? null
                : ContentDispositionFieldLenientImpl.PARSER.parse(new RawField("Content-Disposition", disposition), DecodeMonitor.SILENT);
        if (field == null || field.getDispositionType() == null || field.getDispositionType().isEmpty()) {
            out.append("NIL");
        } else {
            out.append('(');
            ImapEncoding.string(out, field.getDispositionType().toUpperCase(Locale.ROOT), false);
            out.append(' ').append(params(field.getParameters())).append(')');
        }
        out.append(' ');
        String language = part.field("Content-Language");
        if (language == null || language.isBlank()) {
            out.append("NIL");
        } else {
            ImapEncoding.string(out, language.trim(), false);
        }
        out.append(' ');
        ImapEncoding.nstring(out, part.field("Content-Location"));
    }

    private static String params(Map<String, String> params) {
        if (params == null || params.isEmpty()) {
            return "NIL";
        }
        StringBuilder out = new StringBuilder("(");
        boolean first = true;
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!first) {
                out.append(' ');
            }
            first = false;
            ImapEncoding.string(out, e.getKey().toUpperCase(Locale.ROOT), false);
            out.append(' ');
            ImapEncoding.string(out, e.getValue(), false);
        }
        return out.append(')').toString();
    }

    /**
     * The part a section path names (RFC 3501 §6.4.5): numbers index multipart children; a message/rfc822 part
     * is entered to index its message's parts; "1" of a non-multipart entity is its body. Null when absent.
     */
    public static Part resolve(Part root, int[] path) {
        Part current = root;
        for (int i = 0; i < path.length; i++) {
            Part container = current;
            if (i > 0 && current.isMessage() && current.message != null) {
                container = current.message;
            }
            int index = path[i];
            if (container.isMultipart() && !container.children.isEmpty()) {
                if (index > container.children.size()) {
                    return null;
                }
                current = container.children.get(index - 1);
            } else if (index == 1) {
                current = container;
            } else {
                return null;
            }
        }
        return current;
    }
}
