package org.mailkeep.imap;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/** A parsed IMAP command (RFC 3501 §6, RFC 9051 §6 and the extensions we announce). */
public sealed interface Command {

    String tag();

    /** Commands with no arguments: CAPABILITY, NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, EXPUNGE, IDLE, NAMESPACE. */
    record Simple(String tag, String name) implements Command {
    }

    record Login(String tag, String user, String password) implements Command {
    }

    /** AUTHENTICATE with an optional initial response (RFC 4959); "=" is the empty response. */
    record Authenticate(String tag, String mechanism, String initialResponse) implements Command {
    }

    /** SELECT/EXAMINE with CONDSTORE or QRESYNC (RFC 7162 §3.1.8, §3.2.5). */
    record Select(String tag, String mailbox, boolean readOnly, boolean condstore, Qresync qresync) implements Command {
    }

    record Qresync(long uidValidity, long modSeq, SequenceSet knownUids) {
    }

    /** CREATE with the special-use attributes of RFC 6154 §3 USE (empty without). */
    record Create(String tag, String mailbox, List<String> use) implements Command {
    }

    /** DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, GETQUOTA, SETQUOTA: one mailbox or root argument. */
    record MailboxCommand(String tag, String name, String mailbox) implements Command {
    }

    record Rename(String tag, String from, String to) implements Command {
    }

    /** LIST and LSUB, with LIST-EXTENDED (RFC 5258) selection/return options and LIST-STATUS (RFC 5819). */
    record ListCommand(String tag, boolean lsub, List<String> selectOptions, String reference, List<String> patterns,
                       List<String> returnOptions, List<String> statusItems) implements Command {
    }

    record Status(String tag, String mailbox, List<String> items) implements Command {
    }

    /** APPEND: the message literal was streamed to {@code message} (a spool file) or kept in memory when small. */
    record Append(String tag, String mailbox, List<String> flags, ZonedDateTime date, Literal message) implements Command {
    }

    record Enable(String tag, List<String> capabilities) implements Command {
    }

    /** ID (RFC 2971): field/value pairs, null for NIL. */
    record Id(String tag, Map<String, String> parameters) implements Command {
    }

    record Fetch(String tag, boolean uid, SequenceSet set, List<FetchAtt> items, long changedSince, boolean vanished) implements Command {
    }

    record Store(String tag, boolean uid, SequenceSet set, long unchangedSince, char mode, boolean silent, List<String> flags) implements Command {
    }

    /** COPY and MOVE (RFC 6851). */
    record Copy(String tag, boolean uid, boolean move, SequenceSet set, String mailbox) implements Command {
    }

    record Search(String tag, boolean uid, String charset, List<String> returnOptions, boolean esearch, SearchKey key) implements Command {
    }

    /** UID EXPUNGE (RFC 4315 §2.1). */
    record UidExpunge(String tag, SequenceSet set) implements Command {
    }

    /** A literal's bytes: small ones in memory, APPEND messages in a spool file. */
    record Literal(byte[] bytes, Path file, long size) {
        public static Literal of(byte[] bytes) {
            return new Literal(bytes, null, bytes.length);
        }

        public String text() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** One FETCH data item (RFC 3501 §6.4.5, RFC 3516 BINARY). */
    sealed interface FetchAtt {
    }

    /** FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, BODYSTRUCTURE, BODY, UID, MODSEQ, RFC822, RFC822.HEADER, RFC822.TEXT. */
    record Att(String name) implements FetchAtt {
    }

    /**
     * BODY[section]&lt;partial&gt;, BODY.PEEK[...], BINARY[...], BINARY.PEEK[...], BINARY.SIZE[...]. {@code part} is the
     * part path (empty for the whole message); {@code text} is "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME.
     */
    record Section(String kind, boolean peek, int[] part, String text, List<String> fields, long partialStart, long partialLength)
            implements FetchAtt {
    }

    /** A SEARCH key tree (RFC 3501 §6.4.4). */
    sealed interface SearchKey {
    }

    record And(List<SearchKey> keys) implements SearchKey {
    }

    record Or(SearchKey left, SearchKey right) implements SearchKey {
    }

    record Not(SearchKey key) implements SearchKey {
    }

    /** ALL, ANSWERED, DELETED, ..., NEW, OLD, RECENT and their UN- forms, as a flag test. */
    record FlagKey(String flag, boolean set) implements SearchKey {
    }

    /** Matches every message (ALL). */
    record Constant(boolean value) implements SearchKey {
    }

    record Header(String field, String value) implements SearchKey {
    }

    /** BODY (body only) or TEXT (header and body). */
    record Text(boolean includeHeader, String value) implements SearchKey {
    }

    /** BEFORE/ON/SINCE (internal date) and SENTBEFORE/SENTON/SENTSINCE (Date: header). */
    record DateKey(boolean sent, int comparison, LocalDate date) implements SearchKey {
    }

    record Size(boolean larger, long size) implements SearchKey {
    }

    record Seq(boolean uid, SequenceSet set) implements SearchKey {
    }

    /** MODSEQ (RFC 7162 §3.1.5). */
    record ModSeq(long modSeq) implements SearchKey {
    }
}
