package org.mailkeep.imap;

import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.jboss.logging.Logger;
import org.mailkeep.auth.SaslExchange;
import org.mailkeep.imap.Command.FetchAtt;
import org.mailkeep.imap.Command.Literal;
import org.mailkeep.imap.ImapStore.FlagChange;
import org.mailkeep.imap.ImapStore.MailboxRow;
import org.mailkeep.imap.ImapStore.MessageRow;
import org.mailkeep.net.Cidr;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;
import org.mailkeep.store.StoreException;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One IMAP connection's state machine (RFC 3501 §3, RFC 9051 §3). It runs on one thread at a time (the
 * server hands it bytes through a serial executor), does its I/O only through the {@link Transport} it was
 * given, and keeps bounded state: see the package documentation for the memory bound.
 */
final class ImapSession {

    private static final Logger LOG = Logger.getLogger(ImapSession.class);

    /** Longest command line, and most bytes of a non-APPEND command including its literals. */
    static final int MAX_COMMAND = 64 * 1024;
    /** Messages handled per database round trip in FETCH, SEARCH and STORE. */
    static final int BATCH = 256;
    /** Most bytes of a message's text read for SEARCH BODY/TEXT. */
    static final int MAX_SEARCH_TEXT = 4 * 1024 * 1024;
    private static final int OUTPUT_FLUSH = 64 * 1024;
    /** A failed login is answered after this delay; repeated failures lock out through {@link AuthGuard}. */
    static final long FAILED_LOGIN_DELAY_MILLIS = 1000;
    static final List<String> SYSTEM_FLAGS = List.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft");

    /** What the session needs from its connection. */
    interface Transport {
        /** Sends bytes; blocks while the connection's write queue is full (backpressure). */
        void write(byte[] bytes);

        /**
         * Sends {@code response} (the tagged OK to STARTTLS) and starts the TLS handshake right behind it, as one
         * step on the connection's event loop: the client's ClientHello can only arrive after the OK, and must
         * reach TLS, not the command reader. {@code done} runs on the session's executor when it succeeded.
         */
        void startTls(byte[] response, Runnable done);

        void close();

        String remoteIp();

        /** Runs {@code task} on the session's executor (after {@code delayMillis}). */
        void submit(long delayMillis, Runnable task);
    }

    /** Shared collaborators of all sessions. */
    record Services(ImapStore store, Directory directory, AuthGuard authGuard, CredentialCache credentials, long appendLimit,
                    java.util.function.Supplier<Path> spoolFile) {
    }

    private enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

    private final Services services;
    private final Transport transport;
    private boolean tls;
    private final CommandFramer framer = new CommandFramer(MAX_COMMAND);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private State state = State.NOT_AUTHENTICATED;
    private Directory.Account account;
    private boolean condstore;
    private boolean qresync;
    private boolean rev2;
    /** Mailbox names and quoted strings are UTF-8, not modified UTF-7 (RFC 6855 UTF8=ACCEPT, or IMAP4rev2). */
    private boolean utf8Names;
    private Selected selected;
    /** Set by a FETCH that met a BINARY section it cannot decode: the FETCH then ends in NO [UNKNOWN-CTE]. */
    private boolean unknownCte;

    // command assembly
    private final List<Object> parts = new ArrayList<>();
    private int commandBytes;
    private ByteArrayOutputStream literalMemory;
    private Path literalFile;
    private FileChannel literalChannel;
    private boolean suspended;
    private SaslExchange sasl; // an AUTHENTICATE exchange in progress, and its tag
    private String saslTag;
    private String idleTag;
    private boolean closed;

    ImapSession(Services services, Transport transport, boolean tls) {
        this.services = services;
        this.transport = transport;
        this.tls = tls;
    }

    /** The selected mailbox: its message sequence map (UIDs, 4 bytes each) and what was reported so far. */
    private final class Selected {
        final MailboxRow row;
        final boolean readOnly;
        int[] uids;
        int count;
        long uidNext;
        long flagsModSeq;
        long expungeModSeq;
        volatile boolean dirty;
        boolean expungePending;
        final Set<Long> ownModSeqs = new HashSet<>();
        final Runnable watcher = this::changed;

        Selected(MailboxRow row, boolean readOnly, int[] uids) {
            this.row = row;
            this.readOnly = readOnly;
            this.uids = uids;
            this.count = uids.length;
            this.uidNext = row.uidNext();
            this.flagsModSeq = row.highestModSeq();
            this.expungeModSeq = row.highestModSeq();
        }

        private void changed() {
            dirty = true;
            if (idleTag != null) {
                transport.submit(0, () -> {
                    if (idleTag != null && !closed) {
                        refresh(true);
                        flush();
                    }
                });
            }
        }

        long uid(int seq) {
            return uids[seq - 1] & 0xFFFFFFFFL;
        }

        /** Sequence number of a UID, or -1. */
        int seq(long uid) {
            int i = Arrays.binarySearch(uids, 0, count, (int) uid);
            return i >= 0 ? i + 1 : -1;
        }

        void add(long uid) {
            if (count == uids.length) {
                uids = Arrays.copyOf(uids, Math.max(16, count * 2));
            }
            uids[count++] = (int) uid;
        }

        void remove(int seq) {
            System.arraycopy(uids, seq, uids, seq - 1, count - seq);
            count--;
        }
    }

    // ---- input ----

    /** The greeting (RFC 3501 §7.1.1). */
    void start() {
        send("* OK [CAPABILITY " + capabilities() + "] MailKeep IMAP ready\r\n");
        flush();
    }

    /** Bytes from the client. */
    void received(byte[] bytes) {
        framer.feed(bytes);
        process();
    }

    private void process() {
        try {
            while (!suspended && !closed) {
                CommandFramer.Event event = framer.next();
                if (event == null) {
                    break;
                }
                handle(event);
            }
        } catch (RuntimeException e) {
            LOG.warn("IMAP session failed", e);
            send("* BYE internal error\r\n");
            flush();
            closeNow();
        }
        flush();
    }

    private void handle(CommandFramer.Event event) {
        if (event instanceof CommandFramer.LineTooLong tooLong) {
            String tag = ImapParser.tagOf(tooLong.start());
            resetCommand();
            sendTagged(tag, "BAD", "[TOOBIG] command line too long");
            return;
        }
        if (event instanceof CommandFramer.LiteralData data) {
            literalData(data);
            return;
        }
        CommandFramer.Line line = (CommandFramer.Line) event;
        if (idleTag != null) {
            String text = new String(line.bytes(), StandardCharsets.US_ASCII).trim();
            if (text.equalsIgnoreCase("DONE")) {
                String tag = idleTag;
                idleTag = null;
                refresh(true);
                sendTagged(tag, "OK", "IDLE terminated");
            } else {
                send("* BAD expected DONE\r\n");
            }
            return;
        }
        if (sasl != null) {
            authenticationStep(sasl.respond(new String(line.bytes(), StandardCharsets.US_ASCII).trim()));
            return;
        }
        commandBytes += line.bytes().length;
        parts.add(line.bytes());
        if (line.literalSize() < 0) {
            List<Object> command = new ArrayList<>(parts);
            resetCommandKeepingFile();
            execute(command);
            return;
        }
        literalAnnounced(line);
    }

    private void literalAnnounced(CommandFramer.Line line) {
        long size = line.literalSize();
        if (!line.nonSynchronizing() && parts.size() == 1 && !ImapParser.literalAllowed((byte[]) parts.get(0))) {
            String tag = ImapParser.tagOf((byte[]) parts.get(0));
            resetCommand();
            sendTagged(tag, "BAD", "no literal is allowed here");
            return;
        }
        boolean appendMessage = isAppendMessage();
        long limit = appendMessage ? services.appendLimit() : MAX_COMMAND - commandBytes;
        if (size > limit) {
            String tag = ImapParser.tagOf((byte[]) parts.get(0));
            resetCommand();
            if (line.nonSynchronizing()) {
                // RFC 7888 §4: the client sends the data anyway; we will not read that much, so we end the session
                send("* BYE [TOOBIG] literal too large\r\n");
                flush();
                closeNow();
                return;
            }
            sendTagged(tag, appendMessage ? "NO" : "BAD", "[TOOBIG] literal of " + size + " bytes is over the limit of " + limit);
            return;
        }
        if (appendMessage) {
            try {
                literalFile = services.spoolFile().get();
                literalChannel = FileChannel.open(literalFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                String tag = ImapParser.tagOf((byte[]) parts.get(0));
                resetCommand();
                sendTagged(tag, "NO", "[SERVERBUG] cannot store the message: " + e.getMessage());
                return;
            }
        } else {
            literalMemory = new ByteArrayOutputStream((int) size);
            commandBytes += (int) size;
        }
        if (!line.nonSynchronizing()) {
            send("+ Ready for literal data\r\n");
            flush();
        }
        framer.acceptLiteral(size);
    }

    /** Whether the literal just announced is APPEND's message (not a mailbox name given as a literal). */
    private boolean isAppendMessage() {
        byte[] first = (byte[]) parts.get(0);
        String text = new String(first, StandardCharsets.US_ASCII);
        String[] words = text.split(" ", 3);
        if (words.length < 2 || !words[1].equalsIgnoreCase("APPEND")) {
            return false;
        }
        return parts.size() > 1 || (words.length == 3 && !words[2].isBlank());
    }

    private void literalData(CommandFramer.LiteralData data) {
        try {
            if (literalChannel != null) {
                ByteBuffer buffer = ByteBuffer.wrap(data.bytes(), data.offset(), data.length());
                while (buffer.hasRemaining()) {
                    literalChannel.write(buffer);
                }
            } else if (literalMemory != null) {
                literalMemory.write(data.bytes(), data.offset(), data.length());
            }
        } catch (IOException e) {
            LOG.warn("cannot write APPEND spool file: " + e.getMessage());
            send("* BYE cannot store the message\r\n");
            flush();
            closeNow();
            return;
        }
        if (data.last()) {
            if (literalChannel != null) {
                try {
                    literalChannel.close();
                    parts.add(new Literal(null, literalFile, Files.size(literalFile)));
                } catch (IOException e) {
                    parts.add(new Literal(null, literalFile, 0));
                }
                literalChannel = null;
            } else {
                parts.add(Literal.of(literalMemory.toByteArray()));
                literalMemory = null;
            }
        }
    }

    private void resetCommandKeepingFile() {
        parts.clear();
        commandBytes = 0;
        literalMemory = null;
    }

    private void resetCommand() {
        resetCommandKeepingFile();
        discardLiteralFile();
    }

    private void discardLiteralFile() {
        if (literalChannel != null) {
            try {
                literalChannel.close();
            } catch (IOException ignored) {
                // the file is deleted below
            }
            literalChannel = null;
        }
        if (literalFile != null) {
            try {
                Files.deleteIfExists(literalFile);
            } catch (IOException e) {
                LOG.warnf("cannot delete spool file %s: %s", literalFile, e.getMessage());
            }
            literalFile = null;
        }
    }

    /** The connection is gone: release the mailbox watch and any half-received message. */
    void closed() {
        closed = true;
        discardLiteralFile();
        if (selected != null) {
            services.store().unwatch(selected.row.id(), selected.watcher);
            selected = null;
        }
    }

    private void closeNow() {
        closed();
        transport.close();
    }

    // ---- output ----

    private void send(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        if (out.size() > OUTPUT_FLUSH) {
            flush();
        }
    }

    private void sendBytes(byte[] bytes, int offset, int length) {
        out.write(bytes, offset, length);
        if (out.size() > OUTPUT_FLUSH) {
            flush();
        }
    }

    private void flush() {
        if (out.size() > 0 && !closed) {
            transport.write(out.toByteArray());
        }
        out.reset();
    }

    private void sendTagged(String tag, String status, String text) {
        send((tag == null ? "*" : tag) + " " + status + " " + text + "\r\n");
    }

    // ---- commands ----

    private void execute(List<Object> raw) {
        Command command;
        try {
            command = ImapParser.parse(raw, utf8Names);
        } catch (ImapParser.ParseException e) {
            discardLiteralFile();
            sendTagged(e.tag(), "BAD", e.getMessage());
            return;
        }
        literalFile = null; // APPEND owns its spool file from here on
        long started = System.nanoTime();
        try {
            dispatch(command);
        } catch (NotFoundException e) {
            sendTagged(command.tag(), "NO", "[NONEXISTENT] " + e.getMessage());
        } catch (ConflictException e) {
            sendTagged(command.tag(), "NO", (e.getMessage().contains("children") ? "[HASCHILDREN] " : "[ALREADYEXISTS] ") + e.getMessage());
        } catch (IllegalArgumentException e) {
            sendTagged(command.tag(), "NO", "[CANNOT] " + e.getMessage());
        } catch (StoreException e) {
            LOG.warn("IMAP command failed: " + e.getMessage(), e);
            sendTagged(command.tag(), "NO", "[SERVERBUG] " + e.getMessage());
        } finally {
            ImapMetrics.command(command, System.nanoTime() - started);
        }
    }

    private static boolean is(Command command, String... names) {
        return command instanceof Command.Simple s && List.of(names).contains(s.name());
    }

    private void dispatch(Command command) {
        String tag = command.tag();
        if (is(command, "CAPABILITY")) {
            send("* CAPABILITY " + capabilities() + "\r\n");
            ok(tag, "CAPABILITY completed");
        } else if (is(command, "NOOP", "CHECK")) {
            if (is(command, "CHECK") && state != State.SELECTED) {
                sendTagged(tag, "BAD", "no mailbox selected");
                return;
            }
            refresh(true);
            sendTagged(tag, "OK", ((Command.Simple) command).name() + " completed");
        } else if (is(command, "LOGOUT")) {
            send("* BYE MailKeep IMAP signing off\r\n");
            sendTagged(tag, "OK", "LOGOUT completed");
            flush();
            state = State.LOGOUT;
            closeNow();
        } else if (is(command, "STARTTLS")) {
            startTls(tag);
        } else if (command instanceof Command.Id) {
            send("* ID (\"name\" \"MailKeep\" \"vendor\" \"MailKeep\")\r\n");
            ok(tag, "ID completed");
        } else if (command instanceof Command.Login login) {
            login(tag, login.user(), login.password());
        } else if (command instanceof Command.Authenticate auth) {
            authenticate(auth);
        } else if (command instanceof Command.Enable enable) {
            enable(enable);
        } else if (state == State.NOT_AUTHENTICATED) {
            sendTagged(tag, "BAD", "log in first");
        } else {
            authenticatedCommand(command);
        }
    }

    private void authenticatedCommand(Command command) {
        String tag = command.tag();
        if (command instanceof Command.Select select) {
            select(select);
        } else if (is(command, "NAMESPACE")) {
            send("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
            ok(tag, "NAMESPACE completed");
        } else if (command instanceof Command.Create create) {
            create(create);
        } else if (command instanceof Command.MailboxCommand m) {
            mailboxCommand(m);
        } else if (command instanceof Command.Rename r) {
            services.store().rename(account.id(), r.from(), r.to());
            ok(tag, "RENAME completed");
        } else if (command instanceof Command.ListCommand list) {
            list(list);
        } else if (command instanceof Command.Status status) {
            status(status);
        } else if (command instanceof Command.Append append) {
            append(append);
        } else if (is(command, "IDLE")) {
            idleTag = tag;
            refresh(true);
            send("+ idling\r\n");
        } else if (state != State.SELECTED) {
            sendTagged(tag, "BAD", "no mailbox selected");
        } else {
            selectedCommand(command);
        }
    }

    private void selectedCommand(Command command) {
        String tag = command.tag();
        if (is(command, "CLOSE", "UNSELECT")) {
            if (is(command, "CLOSE") && !selected.readOnly) {
                services.store().expunge(selected.row.id(), null); // silently (RFC 3501 §6.4.2)
            }
            deselect();
            ok(tag, ((Command.Simple) command).name() + " completed");
        } else if (is(command, "EXPUNGE")) {
            if (readOnly(tag)) {
                return;
            }
            reportExpunged(services.store().expunge(selected.row.id(), null));
            refresh(true);
            ok(tag, "EXPUNGE completed");
        } else if (command instanceof Command.UidExpunge e) {
            if (readOnly(tag)) {
                return;
            }
            reportExpunged(services.store().expunge(selected.row.id(), resolveUids(e.set(), true)));
            refresh(true);
            ok(tag, "UID EXPUNGE completed");
        } else if (command instanceof Command.Fetch fetch) {
            fetch(fetch);
        } else if (command instanceof Command.Store store) {
            store(store);
        } else if (command instanceof Command.Copy copy) {
            copy(copy);
        } else if (command instanceof Command.Search search) {
            search(search);
        } else {
            sendTagged(tag, "BAD", "command not allowed here");
        }
    }

    private void ok(String tag, String text) {
        sendTagged(tag, "OK", text);
    }

    private boolean readOnly(String tag) {
        if (selected.readOnly) {
            sendTagged(tag, "NO", "[READ-ONLY] mailbox is read-only");
            return true;
        }
        return false;
    }

    String capabilities() {
        StringBuilder caps = new StringBuilder("IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE");
        if (state == State.NOT_AUTHENTICATED) {
            if (!tls) {
                caps.append(" STARTTLS LOGINDISABLED"); // RFC 3501 §6.2.3, §11.1: no cleartext passwords
            } else {
                caps.append(" AUTH=PLAIN AUTH=LOGIN SASL-IR");
            }
        } else {
            caps.append(" IDLE NAMESPACE UIDPLUS MOVE SPECIAL-USE CREATE-SPECIAL-USE UNSELECT CHILDREN ESEARCH CONDSTORE QRESYNC QUOTA"
                    + " QUOTA=RES-STORAGE LIST-EXTENDED LIST-STATUS BINARY UTF8=ACCEPT APPENDLIMIT=").append(services.appendLimit());
        }
        return caps.toString();
    }

    // ---- TLS and authentication ----

    private void startTls(String tag) {
        if (tls) {
            sendTagged(tag, "BAD", "TLS is already active");
            return;
        }
        if (state != State.NOT_AUTHENTICATED) {
            sendTagged(tag, "BAD", "STARTTLS is only allowed before login");
            return;
        }
        flush();
        // RFC 3501 §6.2.1 / RFC 2595 §3.1: anything pipelined after STARTTLS in cleartext is discarded
        framer.discard();
        suspended = true;
        transport.startTls((tag + " OK Begin TLS negotiation now\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), () -> {
            tls = true;
            suspended = false;
            process();
        });
    }

    private void login(String tag, String user, String password) {
        if (state != State.NOT_AUTHENTICATED) {
            sendTagged(tag, "BAD", "already logged in");
            return;
        }
        if (!tls) {
            sendTagged(tag, "NO", "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS");
            return;
        }
        checkPassword(tag, user, password);
    }

    private void authenticate(Command.Authenticate auth) {
        if (state != State.NOT_AUTHENTICATED) {
            sendTagged(auth.tag(), "BAD", "already logged in");
            return;
        }
        if (!tls) {
            sendTagged(auth.tag(), "NO", "[PRIVACYREQUIRED] authentication is disabled before STARTTLS");
            return;
        }
        Optional<SaslExchange> exchange = SaslExchange.start(auth.mechanism());
        if (exchange.isEmpty()) {
            sendTagged(auth.tag(), "NO", "[CANNOT] unsupported mechanism (use PLAIN or LOGIN)");
            return;
        }
        sasl = exchange.get();
        saslTag = auth.tag();
        authenticationStep(sasl.begin(auth.initialResponse())); // RFC 4959: SASL-IR
    }

    /** RFC 3501 §6.2.2: a challenge is a "+" continuation; the client's "*" cancels with BAD. */
    private void authenticationStep(SaslExchange.Step step) {
        if (step instanceof SaslExchange.Challenge challenge) {
            send("+ " + challenge.base64() + "\r\n");
            return;
        }
        String tag = saslTag;
        sasl = null;
        saslTag = null;
        if (step instanceof SaslExchange.Credentials credentials) {
            checkPassword(tag, credentials.user(), credentials.password());
            return;
        }
        switch (((SaslExchange.Failure) step).reason()) {
            case CANCELLED -> sendTagged(tag, "BAD", "authentication cancelled");
            case NOT_BASE64 -> sendTagged(tag, "BAD", "invalid base64");
            case MALFORMED -> sendTagged(tag, "BAD", "malformed PLAIN response");
            case AUTHORIZATION_DENIED -> sendTagged(tag, "NO", "[AUTHORIZATIONFAILED] cannot act as another user");
        }
    }

    private void checkPassword(String tag, String user, String password) {
        InetAddress ip = Cidr.literal(transport.remoteIp()).orElseThrow();
        if (!services.authGuard().check(ip, user).allowed()) {
            sendTagged(tag, "NO", "[UNAVAILABLE] too many failed logins, try again later");
            return;
        }
        Optional<Directory.Account> found;
        synchronized (services.credentials().lockFor(user)) {
            found = services.credentials().verified(user, password)
                    ? services.directory().account(user) : services.directory().authenticate(user, password);
            if (found.isPresent()) {
                services.credentials().remember(user, password);
            }
        }
        if (found.isPresent()) {
            services.authGuard().success(ip, user);
            account = found.get();
            state = State.AUTHENTICATED;
            sendTagged(tag, "OK", "[CAPABILITY " + capabilities() + "] logged in");
            return;
        }
        services.credentials().forget(user);
        services.authGuard().failure(ip, user);
        suspended = true; // the answer (and anything pipelined after it) waits: guessing gets slow; AuthGuard locks out
        transport.submit(FAILED_LOGIN_DELAY_MILLIS, () -> {
            sendTagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid credentials");
            suspended = false;
            process();
        });
    }

    private void enable(Command.Enable enable) {
        if (state == State.NOT_AUTHENTICATED) {
            sendTagged(enable.tag(), "BAD", "log in first");
            return;
        }
        List<String> enabled = new ArrayList<>();
        for (String cap : enable.capabilities()) {
            switch (cap) {
                case "CONDSTORE" -> {
                    condstore = true;
                    enabled.add(cap);
                }
                case "QRESYNC" -> { // RFC 7162 §3.2.3: implies CONDSTORE
                    qresync = true;
                    condstore = true;
                    enabled.add(cap);
                }
                case "IMAP4REV2" -> { // RFC 9051 §5.1: mailbox names are UTF-8
                    rev2 = true;
                    utf8Names = true;
                    enabled.add("IMAP4rev2");
                }
                case "UTF8=ACCEPT" -> {
                    utf8Names = true;
                    enabled.add(cap);
                }
                default -> {
                }
            }
        }
        send("* ENABLED" + (enabled.isEmpty() ? "" : " " + String.join(" ", enabled)) + "\r\n");
        ok(enable.tag(), "ENABLE completed");
    }

    // ---- mailboxes ----

    private MailboxRow existing(String name) {
        return services.store().mailbox(account.id(), name).orElseThrow(() -> new NotFoundException("no such mailbox: " + name));
    }

    private void select(Command.Select select) {
        String tag = select.tag();
        deselect(true);
        Optional<MailboxRow> found = services.store().mailbox(account.id(), select.mailbox());
        if (found.isEmpty()) {
            state = State.AUTHENTICATED;
            sendTagged(tag, "NO", "[NONEXISTENT] no such mailbox");
            return;
        }
        if (select.qresync() != null && !qresync) {
            sendTagged(tag, "BAD", "QRESYNC must be enabled first (RFC 7162 §3.2.5)");
            return;
        }
        if (select.condstore()) {
            condstore = true;
        }
        MailboxRow row = found.get();
        Selected s = new Selected(row, select.readOnly(), services.store().uids(row.id()));
        services.store().watch(row.id(), s.watcher);
        selected = s;
        state = State.SELECTED;
        send("* FLAGS (" + String.join(" ", SYSTEM_FLAGS) + ")\r\n");
        send("* OK [PERMANENTFLAGS (" + (s.readOnly ? "" : String.join(" ", SYSTEM_FLAGS) + " \\*") + ")] flags\r\n");
        send("* " + s.count + " EXISTS\r\n");
        if (!rev2) {
            send("* 0 RECENT\r\n");
            long unseen = firstUnseen(s);
            if (unseen > 0) {
                send("* OK [UNSEEN " + unseen + "] first unseen\r\n");
            }
        }
        send("* OK [UIDVALIDITY " + row.uidValidity() + "] UIDs valid\r\n");
        send("* OK [UIDNEXT " + row.uidNext() + "] predicted next UID\r\n");
        send("* OK [HIGHESTMODSEQ " + row.highestModSeq() + "] highest\r\n");
        if (rev2) {
            send("* LIST () \"/\" " + ImapEncoding.mailbox(row.name(), utf8Names) + "\r\n");
        }
        if (select.qresync() != null && select.qresync().uidValidity() == row.uidValidity()) {
            qresyncChanges(select.qresync().modSeq(), select.qresync().knownUids(), true);
        }
        sendTagged(tag, "OK", (s.readOnly ? "[READ-ONLY]" : "[READ-WRITE]") + " " + (s.readOnly ? "EXAMINE" : "SELECT") + " completed");
    }

    private long firstUnseen(Selected s) {
        long uid = services.store().firstUnseen(s.row.id());
        return uid > 0 ? Math.max(0, s.seq(uid)) : 0;
    }

    /** QRESYNC (RFC 7162 §3.2.5.1): VANISHED (EARLIER) for expunges, then FETCH for flag changes since {@code modSeq}. */
    private void qresyncChanges(long modSeq, SequenceSet known, boolean earlier) {
        long[] vanished = services.store().expungedSince(selected.row.id(), modSeq);
        long largest = selected.count > 0 ? selected.uid(selected.count) : 0;
        List<Long> report = new ArrayList<>();
        for (long uid : vanished) {
            if (known == null || known.contains(uid, Math.max(largest, uid))) {
                report.add(uid);
            }
        }
        if (!report.isEmpty()) {
            send("* VANISHED " + (earlier ? "(EARLIER) " : "") + SequenceSet.format(report) + "\r\n");
        }
        for (FlagChange change : services.store().flagChanges(selected.row.id(), modSeq, Long.MAX_VALUE, Long.MAX_VALUE)) {
            int seq = selected.seq(change.uid());
            if (seq > 0) {
                send("* " + seq + " FETCH (UID " + change.uid() + " FLAGS (" + change.flags() + ") MODSEQ (" + change.modSeq() + "))\r\n");
            }
        }
    }

    private void deselect() {
        deselect(false);
    }

    private void deselect(boolean implicit) {
        if (selected != null) {
            services.store().unwatch(selected.row.id(), selected.watcher);
            selected = null;
            state = State.AUTHENTICATED;
            if ((qresync || rev2) && implicit) {
                send("* OK [CLOSED] previous mailbox closed\r\n"); // RFC 7162 §3.2.11, RFC 9051 §6.3.2
            }
        }
    }

    private void mailboxCommand(Command.MailboxCommand m) {
        String tag = m.tag();
        switch (m.name()) {
            case "DELETE" -> {
                if (selected != null && selected.row.name().equals(m.mailbox())) {
                    deselect();
                }
                services.store().delete(account.id(), m.mailbox());
                ok(tag, "DELETE completed");
            }
            case "SUBSCRIBE", "UNSUBSCRIBE" -> {
                services.store().subscribe(account.id(), m.mailbox(), m.name().equals("SUBSCRIBE"));
                ok(tag, m.name() + " completed");
            }
            case "GETQUOTAROOT" -> {
                existing(m.mailbox());
                Directory.Usage quota = services.directory().usage(account.id());
                // RFC 9208 formal syntax: a quota-list needs at least one resource, so an account without a limit has no quota root
                send("* QUOTAROOT " + ImapEncoding.mailbox(m.mailbox(), utf8Names) + (quota.quotaBytes() > 0 ? " \"\"" : "") + "\r\n");
                if (quota.quotaBytes() > 0) {
                    send("* QUOTA \"\" (" + quotaResources(quota) + ")\r\n");
                }
                ok(tag, "GETQUOTAROOT completed");
            }
            case "GETQUOTA" -> {
                Directory.Usage quota = services.directory().usage(account.id());
                if (!m.mailbox().isEmpty() || quota.quotaBytes() == 0) {
                    sendTagged(tag, "NO", "[NONEXISTENT] no such quota root");
                    return;
                }
                send("* QUOTA \"\" (" + quotaResources(quota) + ")\r\n");
                ok(tag, "GETQUOTA completed");
            }
            case "SETQUOTA" -> sendTagged(tag, "NO", "[NOPERM] quotas are set by the administrator");
            default -> sendTagged(tag, "BAD", "unknown command");
        }
    }

    /** Special uses a mailbox can be created with; \All and \Flagged would need virtual mailboxes (RFC 6154 §2). */
    private static final List<String> CREATABLE_USES = List.of("\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash");

    private void create(Command.Create create) {
        String tag = create.tag();
        if (create.mailbox().equals("INBOX")) {
            sendTagged(tag, "NO", "[ALREADYEXISTS] INBOX exists");
            return;
        }
        // RFC 6154 §3: a special use the server cannot give the mailbox is refused with USEATTR; a mailbox holds one here
        if (create.use().size() > 1 || (create.use().size() == 1 && !CREATABLE_USES.contains(create.use().get(0)))) {
            sendTagged(tag, "NO", "[USEATTR] a mailbox can be created with one of " + String.join(" ", CREATABLE_USES));
            return;
        }
        services.store().create(account.id(), create.mailbox(), create.use().isEmpty() ? null : create.use().get(0));
        ok(tag, "CREATE completed");
    }

    /** RFC 9208 §5.1: STORAGE in units of 1024 octets. */
    private static String quotaResources(Directory.Usage quota) {
        return "STORAGE " + (quota.usedBytes() + 1023) / 1024 + " " + quota.quotaBytes() / 1024;
    }

    private void list(Command.ListCommand list) {
        String tag = list.tag();
        String command = list.lsub() ? "LSUB" : "LIST";
        if (list.patterns().size() == 1 && list.patterns().get(0).isEmpty()) {
            send("* " + command + " (\\Noselect) \"/\" \"\"\r\n"); // RFC 3501 §6.3.8: the hierarchy delimiter
            ok(tag, command + " completed");
            return;
        }
        boolean subscribedOnly = list.lsub() || list.selectOptions().contains("SUBSCRIBED");
        boolean specialOnly = list.selectOptions().contains("SPECIAL-USE");
        boolean showSubscribed = subscribedOnly || list.returnOptions().contains("SUBSCRIBED");
        // RFC 5258 §3: with RECURSIVEMATCH, a name with subscribed children that the patterns leave out is listed with CHILDINFO
        boolean recursive = subscribedOnly && list.selectOptions().contains("RECURSIVEMATCH");
        List<Pattern> patterns = list.patterns().stream().map(p -> wildcard(list.reference() + p)).toList();
        List<MailboxRow> all = services.store().mailboxes(account.id());
        Set<String> names = new HashSet<>();
        all.forEach(r -> names.add(r.name()));
        for (MailboxRow row : all) {
            String name = row.name();
            if (patterns.stream().noneMatch(p -> p.matcher(name).matches())) {
                continue;
            }
            boolean subscribedChildren = recursive && all.stream().anyMatch(r -> r.subscribed() && r.name().startsWith(name + ImapStore.SEPARATOR)
                    && patterns.stream().noneMatch(p -> p.matcher(r.name()).matches()));
            if ((subscribedOnly && !row.subscribed() && !subscribedChildren) || (specialOnly && row.specialUse() == null)) {
                continue;
            }
            List<String> attributes = new ArrayList<>();
            boolean children = all.stream().anyMatch(r -> r.name().startsWith(name + ImapStore.SEPARATOR));
            attributes.add(children ? "\\HasChildren" : "\\HasNoChildren");
            if (row.specialUse() != null) {
                attributes.add(row.specialUse());
            }
            if (showSubscribed && row.subscribed() && !list.lsub()) {
                attributes.add("\\Subscribed");
            }
            send("* " + command + " (" + String.join(" ", attributes) + ") \"/\" " + ImapEncoding.mailbox(name, utf8Names)
                    + (subscribedChildren ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : "") + "\r\n");
            if (!list.statusItems().isEmpty()) {
                sendStatus(row, list.statusItems());
            }
        }
        ok(tag, command + " completed");
    }

    /** A LIST pattern as a regular expression: "*" matches anything, "%" anything but the separator (RFC 3501 §6.3.8). */
    static Pattern wildcard(String pattern) {
        StringBuilder regex = new StringBuilder();
        String normalized = ImapParser.mailboxName(pattern);
        for (char c : normalized.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '%' -> regex.append("[^/]*");
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private void status(Command.Status status) {
        if (selected != null && selected.row.name().equals(status.mailbox())) {
            refresh(false);
        }
        sendStatus(existing(status.mailbox()), status.items().stream().map(s -> s.toUpperCase(Locale.ROOT)).toList());
        ok(status.tag(), "STATUS completed");
    }

    private void sendStatus(MailboxRow row, List<String> items) {
        ImapStore.MailboxStatus counts = services.store().status(row.id());
        List<String> values = new ArrayList<>();
        for (String item : items) {
            switch (item) {
                case "MESSAGES" -> values.add("MESSAGES " + counts.messages());
                case "RECENT" -> values.add("RECENT 0");
                case "UIDNEXT" -> values.add("UIDNEXT " + row.uidNext());
                case "UIDVALIDITY" -> values.add("UIDVALIDITY " + row.uidValidity());
                case "UNSEEN" -> values.add("UNSEEN " + counts.unseen());
                case "DELETED" -> values.add("DELETED " + counts.deleted());
                case "SIZE" -> values.add("SIZE " + counts.size());
                // RFC 9208: what an EXPUNGE would free, in the STORAGE unit (1024 octets)
                case "DELETED-STORAGE" -> values.add("DELETED-STORAGE " + (counts.deletedSize() + 1023) / 1024);
                case "HIGHESTMODSEQ" -> values.add("HIGHESTMODSEQ " + row.highestModSeq());
                case "APPENDLIMIT" -> values.add("APPENDLIMIT " + services.appendLimit());
                default -> throw new IllegalStateException(item); // the parser admits only ImapParser.STATUS_ITEMS
            }
        }
        send("* STATUS " + ImapEncoding.mailbox(row.name(), utf8Names) + " (" + String.join(" ", values) + ")\r\n");
    }

    private void append(Command.Append append) {
        Path file = append.message().file();
        try {
            Optional<MailboxRow> target = services.store().mailbox(account.id(), append.mailbox());
            if (target.isEmpty()) {
                sendTagged(append.tag(), "NO", "[TRYCREATE] no such mailbox");
                return;
            }
            if (file == null) { // a message small enough to have been sent before we knew it was APPEND's: spool it now
                file = services.spoolFile().get();
                Files.write(file, append.message().bytes(), StandardOpenOption.CREATE_NEW);
            }
            if (services.directory().overQuota(account, append.message().size())) {
                sendTagged(append.tag(), "NO", "[OVERQUOTA] mailbox is full");
                return;
            }
            Set<String> flags = new TreeSet<>(append.flags());
            flags.remove("\\Recent");
            long date = append.date() == null ? System.currentTimeMillis() : append.date().toInstant().toEpochMilli();
            long[] result = services.store().append(account.id(), target.get(), file, flags, date);
            file = null;
            if (selected != null && selected.row.id() == target.get().id()) {
                refresh(true);
            }
            sendTagged(append.tag(), "OK", "[APPENDUID " + result[0] + " " + result[1] + "] APPEND completed");
        } catch (IOException e) {
            sendTagged(append.tag(), "NO", "[SERVERBUG] cannot store the message: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warnf("cannot delete spool file %s", file);
                }
            }
        }
    }

    // ---- changes made by other sessions (RFC 3501 §5.2, §7.4.1; RFC 7162 §3.2.10) ----

    /**
     * Tells the client what changed in the selected mailbox since it last heard: EXISTS for new messages, FETCH
     * for flag changes, and EXPUNGE (VANISHED with QRESYNC) only when {@code expungeAllowed} — never during
     * FETCH, STORE or SEARCH, whose sequence numbers must not shift (RFC 3501 §7.4.1).
     */
    private void refresh(boolean expungeAllowed) {
        Selected s = selected;
        if (s == null || (!s.dirty && !(expungeAllowed && s.expungePending))) {
            return;
        }
        s.dirty = false;
        Optional<MailboxRow> current = services.store().mailbox(account.id(), s.row.name());
        if (current.isEmpty() || current.get().id() != s.row.id()) {
            return; // renamed or deleted under us: the client learns on its next SELECT
        }
        MailboxRow row = current.get();
        if (expungeAllowed) {
            long[] expunged = services.store().expungedSince(s.row.id(), s.expungeModSeq);
            reportExpunged(expunged);
            s.expungeModSeq = row.highestModSeq();
            s.expungePending = false;
        } else if (row.highestModSeq() > s.expungeModSeq) {
            s.expungePending = true;
        }
        long oldUidNext = s.uidNext;
        if (row.uidNext() > s.uidNext) {
            for (long uid : services.store().uidsFrom(s.row.id(), s.uidNext)) {
                s.add(uid);
            }
            s.uidNext = row.uidNext();
            send("* " + s.count + " EXISTS\r\n");
            if (!rev2) {
                send("* 0 RECENT\r\n");
            }
        }
        if (row.highestModSeq() > s.flagsModSeq) {
            for (FlagChange change : services.store().flagChanges(s.row.id(), s.flagsModSeq, row.highestModSeq(), oldUidNext)) {
                int seq = s.seq(change.uid());
                if (seq > 0 && !s.ownModSeqs.contains(change.modSeq())) {
                    send("* " + seq + " FETCH (UID " + change.uid() + " FLAGS (" + change.flags() + ")"
                            + (condstore ? " MODSEQ (" + change.modSeq() + ")" : "") + ")\r\n");
                }
            }
            s.flagsModSeq = row.highestModSeq();
            s.ownModSeqs.clear();
        }
    }

    private void reportExpunged(long[] uids) {
        Selected s = selected;
        List<Long> vanished = new ArrayList<>();
        for (long uid : uids) {
            int seq = s.seq(uid);
            if (seq < 0) {
                continue;
            }
            s.remove(seq);
            if (qresync) {
                vanished.add(uid);
            } else {
                send("* " + seq + " EXPUNGE\r\n");
            }
        }
        if (!vanished.isEmpty()) {
            send("* VANISHED " + SequenceSet.format(vanished) + "\r\n");
        }
    }

    // ---- message sets ----

    /**
     * The sequence numbers a set names, ascending and without duplicates: UID ranges are looked up by binary search,
     * then the ranges are merged, so the answer costs 4 bytes per message named and nothing per number of the set.
     */
    private int[] resolve(SequenceSet set, boolean uid) {
        Selected s = selected;
        if (s.count == 0) {
            return new int[0];
        }
        long largest = uid ? s.uid(s.count) : s.count;
        List<int[]> spans = new ArrayList<>(); // [from, to] in sequence numbers, ascending by from (ranges() sorts)
        for (long[] range : set.ranges(largest)) {
            int from;
            int to;
            if (uid) {
                int lo = Arrays.binarySearch(s.uids, 0, s.count, (int) Math.min(range[0], Integer.MAX_VALUE));
                int hi = Arrays.binarySearch(s.uids, 0, s.count, (int) Math.min(range[1], Integer.MAX_VALUE));
                from = (lo >= 0 ? lo : -lo - 1) + 1;
                to = (hi >= 0 ? hi : -hi - 2) + 1;
            } else {
                from = (int) Math.max(1, range[0]);
                to = (int) Math.min(s.count, range[1]);
            }
            if (from > to) {
                continue;
            }
            int[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
            if (last != null && from <= last[1] + 1) {
                last[1] = Math.max(last[1], to);
            } else {
                spans.add(new int[] {from, to});
            }
        }
        int total = 0;
        for (int[] span : spans) {
            total += span[1] - span[0] + 1;
        }
        int[] seqs = new int[total];
        int i = 0;
        for (int[] span : spans) {
            for (int seq = span[0]; seq <= span[1]; seq++) {
                seqs[i++] = seq;
            }
        }
        return seqs;
    }

    private boolean validSeqSet(SequenceSet set) {
        for (long[] range : set.ranges(selected.count)) {
            if (range[1] > selected.count || range[0] < 1) {
                return false;
            }
        }
        return true;
    }

    private long[] resolveUids(SequenceSet set, boolean uid) {
        int[] seqs = resolve(set, uid);
        long[] uids = new long[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            uids[i] = selected.uid(seqs[i]);
        }
        return uids;
    }

    // ---- FETCH ----

    private void fetch(Command.Fetch fetch) {
        String tag = fetch.tag();
        unknownCte = false;
        if (!fetch.uid() && !validSeqSet(fetch.set())) {
            sendTagged(tag, "BAD", "invalid message sequence number");
            return;
        }
        if (fetch.vanished() && !qresync) {
            sendTagged(tag, "BAD", "VANISHED needs QRESYNC enabled");
            return;
        }
        if (fetch.changedSince() >= 0) {
            condstore = true;
        }
        if (fetch.vanished()) {
            long[] expunged = services.store().expungedSince(selected.row.id(), fetch.changedSince());
            List<Long> report = new ArrayList<>();
            for (long uid : expunged) {
                if (fetch.set().contains(uid, Math.max(uid, selected.uidNext - 1))) {
                    report.add(uid);
                }
            }
            if (!report.isEmpty()) {
                send("* VANISHED (EARLIER) " + SequenceSet.format(report) + "\r\n");
            }
        }
        List<FetchAtt> items = new ArrayList<>(fetch.items());
        if (fetch.uid() && !items.contains(new Command.Att("UID"))) {
            items.add(0, new Command.Att("UID"));
        }
        if ((fetch.changedSince() >= 0 || items.contains(new Command.Att("MODSEQ"))) && !items.contains(new Command.Att("MODSEQ"))) {
            items.add(new Command.Att("MODSEQ"));
        }
        if (items.contains(new Command.Att("MODSEQ"))) {
            condstore = true;
        }
        boolean cached = items.stream().anyMatch(i -> i instanceof Command.Att a
                && (a.name().equals("ENVELOPE") || a.name().equals("BODYSTRUCTURE") || a.name().equals("BODY")));
        boolean header = items.stream().anyMatch(i -> i instanceof Command.Section sec && headerFieldsOfMessage(sec));
        cached |= header;
        boolean setsSeen = !selected.readOnly && items.stream().anyMatch(i -> (i instanceof Command.Section sec && !sec.peek())
                || (i instanceof Command.Att a && (a.name().equals("RFC822") || a.name().equals("RFC822.TEXT"))));
        int[] seqs = resolve(fetch.set(), fetch.uid());
        if (!setsSeen && items.stream().allMatch(i -> i instanceof Command.Att a && ROW_ITEMS.contains(a.name()))) {
            fetchRowItems(seqs, items, fetch.changedSince());
            refresh(fetch.uid());
            ok(tag, (fetch.uid() ? "UID " : "") + "FETCH completed");
            return;
        }
        for (int from = 0; from < seqs.length; from += BATCH) {
            int to = Math.min(seqs.length, from + BATCH);
            long[] uids = new long[to - from];
            for (int i = from; i < to; i++) {
                uids[i - from] = selected.uid(seqs[i]);
            }
            List<MessageRow> rows = rows(uids, cached, header);
            Set<Long> seenNow = new HashSet<>();
            if (setsSeen) {
                long[] unseen = rows.stream().filter(r -> !ImapStore.parseFlags(r.flags()).contains("\\Seen")).mapToLong(MessageRow::uid).toArray();
                if (unseen.length > 0) {
                    ImapStore.StoreResult result = services.store().store(selected.row.id(), unseen, '+', List.of("\\Seen"), -1);
                    result.changed().forEach(c -> {
                        seenNow.add(c.uid());
                        selected.ownModSeqs.add(c.modSeq());
                    });
                    rows = rows(uids, cached, header);
                }
            }
            List<Object[]> newCache = new ArrayList<>();
            for (MessageRow row : rows) {
                if (fetch.changedSince() >= 0 && row.modSeq() <= fetch.changedSince()) {
                    continue;
                }
                int seq = selected.seq(row.uid());
                if (seq > 0) {
                    fetchOne(seq, row, items, seenNow.contains(row.uid()), header, newCache);
                }
            }
            services.store().cache(newCache);
        }
        refresh(fetch.uid());
        if (unknownCte) { // RFC 3516: a section whose transfer encoding the server cannot decode fails the FETCH
            sendTagged(tag, "NO", "[UNKNOWN-CTE] cannot decode the Content-Transfer-Encoding of a requested part");
            return;
        }
        ok(tag, (fetch.uid() ? "UID " : "") + "FETCH completed");
    }

    /**
     * FETCH of items the message row alone answers (UID, FLAGS, MODSEQ, INTERNALDATE, RFC822.SIZE; Thunderbird's
     * UID FETCH 1:* (FLAGS) at every start): {@code BATCH * 4} messages a query, their responses built straight from
     * the result set into one buffer (about 40 bytes a message) and sent after each query.
     */
    private void fetchRowItems(int[] seqs, List<FetchAtt> items, long changedSince) {
        String[] names = items.stream().map(i -> ((Command.Att) i).name()).toArray(String[]::new);
        boolean size = Arrays.asList(names).contains("RFC822.SIZE");
        StringBuilder out = new StringBuilder();
        for (int from = 0; from < seqs.length; from += BATCH * 4) {
            int to = Math.min(seqs.length, from + BATCH * 4);
            long[] uids = new long[to - from];
            for (int i = from; i < to; i++) {
                uids[i - from] = selected.uid(seqs[i]);
            }
            services.store().rowItems(selected.row.id(), uids, size, changedSince, (uid, flags, modSeq, internalDate, octets) -> {
                int seq = selected.seq(uid);
                if (seq <= 0) {
                    return;
                }
                out.append("* ").append(seq).append(" FETCH (");
                for (int i = 0; i < names.length; i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    switch (names[i]) {
                        case "UID" -> out.append("UID ").append(uid);
                        case "FLAGS" -> out.append("FLAGS (").append(flags).append(')');
                        case "INTERNALDATE" -> out.append("INTERNALDATE ").append(ImapEncoding.dateTime(internalDate));
                        case "RFC822.SIZE" -> out.append("RFC822.SIZE ").append(octets);
                        default -> out.append("MODSEQ (").append(modSeq).append(')');
                    }
                }
                out.append(")\r\n");
            });
            send(out.toString());
            out.setLength(0);
        }
    }

    /** Message rows for the given ascending UIDs (with the cached header block too when {@code header}). */
    private List<MessageRow> rows(long[] uids, boolean cached, boolean header) {
        if (uids.length == 0) {
            return List.of();
        }
        if (uids[uids.length - 1] - uids[0] >= 2L * uids.length) { // sparse: fetch exactly these rows, not the whole range
            return services.store().messages(selected.row.id(), uids, cached, header);
        }
        List<MessageRow> rows = header ? services.store().messagesWithHeader(selected.row.id(), uids[0], uids[uids.length - 1])
                : services.store().messages(selected.row.id(), uids[0], uids[uids.length - 1], cached);
        if (rows.size() == uids.length) {
            return rows;
        }
        Set<Long> wanted = new HashSet<>();
        for (long uid : uids) {
            wanted.add(uid);
        }
        return rows.stream().filter(r -> wanted.contains(r.uid())).toList();
    }

    /**
     * One message's FETCH response. {@code header}: the row carries the cached header block (null when not cached yet,
     * then it is cached from this FETCH's parse).
     */
    private void fetchOne(int seq, MessageRow row, List<FetchAtt> items, boolean seenChanged, boolean header, List<Object[]> newCache) {
        StringBuilder line = new StringBuilder("* ").append(seq).append(" FETCH (");
        boolean first = true;
        boolean flagsSent = false;
        MimeStructure.Part structure = null;
        String[] cache = row.envelope() == null ? null : new String[] {row.envelope(), row.bodyStructure(), row.body(), row.header()};
        boolean cacheChanged = false;
        // most FETCHes (FLAGS of the whole mailbox, cached envelopes) are answered from the row: no file path at all
        boolean fromRow = items.stream().allMatch(i -> i instanceof Command.Att a
                && (ROW_ITEMS.contains(a.name()) || (row.envelope() != null && CACHED_ITEMS.contains(a.name()))));
        Path file = fromRow ? null : services.store().file(row.file());
        try {
            if (items.stream().anyMatch(i -> i instanceof Command.Section sec && sec.kind().startsWith("BINARY"))) {
                structure = parse(file);
                for (FetchAtt item : items) { // checked before any of this message's answer is sent
                    if (item instanceof Command.Section sec && sec.kind().startsWith("BINARY")
                            && !decodable(MimeStructure.resolve(structure, sec.part()))) {
                        unknownCte = true;
                        return;
                    }
                }
            }
            for (FetchAtt item : items) {
                if (!first) {
                    line.append(' ');
                }
                first = false;
                if (item instanceof Command.Att att) {
                    switch (att.name()) {
                        case "UID" -> line.append("UID ").append(row.uid());
                        case "FLAGS" -> {
                            line.append("FLAGS (").append(row.flags()).append(')');
                            flagsSent = true;
                        }
                        case "INTERNALDATE" -> line.append("INTERNALDATE ").append(ImapEncoding.dateTime(row.internalDate()));
                        case "RFC822.SIZE" -> line.append("RFC822.SIZE ").append(row.size());
                        case "MODSEQ" -> line.append("MODSEQ (").append(row.modSeq()).append(')');
                        case "ENVELOPE", "BODYSTRUCTURE", "BODY" -> {
                            if (cache == null) {
                                structure = structure == null ? parse(file) : structure;
                                cache = ImapStore.describe(structure);
                                cacheChanged = true;
                            }
                            line.append(att.name()).append(' ').append(att.name().equals("ENVELOPE") ? cache[0]
                                    : att.name().equals("BODYSTRUCTURE") ? cache[1] : cache[2]);
                        }
                        case "RFC822" -> {
                            line.append("RFC822 ");
                            sendRegion(line, file, 0, row.size());
                        }
                        case "RFC822.HEADER", "RFC822.TEXT" -> {
                            structure = structure == null ? parse(file) : structure;
                            line.append(att.name()).append(' ');
                            if (att.name().equals("RFC822.HEADER")) {
                                sendRegion(line, file, structure.headerStart, structure.bodyStart);
                            } else {
                                sendRegion(line, file, structure.bodyStart, structure.end);
                            }
                        }
                        default -> throw new IllegalStateException(att.name());
                    }
                } else {
                    Command.Section section = (Command.Section) item;
                    if (header && headerFieldsOfMessage(section) && cache != null && cache[3] != null) {
                        section(line, file, cachedHeader(cache[3]), section); // the cached header block: no file read
                        continue;
                    }
                    if (header && headerFieldsOfMessage(section) && cache == null) {
                        structure = structure == null ? parse(file) : structure; // parsed once, for all the cache keeps
                        cache = ImapStore.describe(structure);
                        cacheChanged = true;
                    }
                    if (structure == null && section.part().length == 0 && section.text().isEmpty() && section.kind().equals("BODY")) {
                        section(line, file, wholeMessage(row.size()), section); // BODY[]: the file as it is, nothing to parse
                        continue;
                    }
                    if (structure == null) {
                        structure = headerOnly(section) ? parseHeader(file) : parse(file);
                    }
                    if (header && headerFieldsOfMessage(section) && cache[3] == null && ImapStore.cacheableHeader(structure) != null) {
                        cache[3] = ImapStore.cacheableHeader(structure);
                        cacheChanged = true;
                    }
                    section(line, file, structure, section);
                }
            }
        } catch (NoSuchFileException e) {
            return; // expunged by another session meanwhile: nothing to show (RFC 3501 §7.4.1 allows omitting it)
        } catch (IOException e) {
            throw new StoreException("cannot read message " + row.file() + ": " + e.getMessage(), e);
        }
        if (seenChanged && !flagsSent) {
            line.append(" FLAGS (").append(row.flags()).append(')');
        }
        line.append(")\r\n");
        send(line.toString());
        if (cacheChanged) {
            newCache.add(new Object[] {row.messageId(), cache[0], cache[1], cache[2], cache[3]});
        }
    }

    /** BODY[HEADER.FIELDS (...)] or BODY[HEADER.FIELDS.NOT (...)] of the message itself: answered from the cached header block. */
    private static boolean headerFieldsOfMessage(Command.Section section) {
        return section.part().length == 0 && section.text().startsWith("HEADER.FIELDS") && section.kind().startsWith("BODY");
    }

    /** A message reduced to its extent, all that section() reads for BODY[] (RFC 3501 §6.4.5: the whole message). */
    private static MimeStructure.Part wholeMessage(long size) {
        MimeStructure.Part part = new MimeStructure.Part();
        part.end = size;
        return part;
    }

    /** A message reduced to its cached header block: all that section() reads for HEADER.FIELDS of the message. */
    private static MimeStructure.Part cachedHeader(String header) {
        MimeStructure.Part part = new MimeStructure.Part();
        part.header = header;
        return part;
    }

    private static final Set<String> ROW_ITEMS = Set.of("UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "MODSEQ");
    private static final Set<String> CACHED_ITEMS = Set.of("ENVELOPE", "BODYSTRUCTURE", "BODY");

    private static boolean headerOnly(Command.Section section) {
        return section.part().length == 0 && section.text().startsWith("HEADER");
    }

    private static MimeStructure.Part parse(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
            return MimeStructure.parse(in);
        }
    }

    private static MimeStructure.Part parseHeader(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 16384)) {
            return MimeStructure.parseHeader(in);
        }
    }

    /** BODY[...] / BINARY[...] (RFC 3501 §6.4.5, RFC 3516). */
    private void section(StringBuilder line, Path file, MimeStructure.Part root, Command.Section section) throws IOException {
        StringBuilder name = new StringBuilder(section.kind()).append('[');
        for (int i = 0; i < section.part().length; i++) {
            name.append(i > 0 ? "." : "").append(section.part()[i]);
        }
        if (!section.text().isEmpty()) {
            name.append(section.part().length > 0 ? "." : "").append(section.text());
            if (!section.fields().isEmpty()) {
                name.append(" (").append(String.join(" ", section.fields())).append(')');
            }
        }
        name.append(']');
        MimeStructure.Part part = MimeStructure.resolve(root, section.part());
        if (section.kind().startsWith("BINARY")) {
            binary(line, name.toString(), file, part, section);
            return;
        }
        if (section.partialStart() >= 0) {
            name.append('<').append(section.partialStart()).append('>');
        }
        line.append(name).append(' ');
        if (part == null) {
            line.append("\"\"");
            return;
        }
        MimeStructure.Part message = section.part().length == 0 ? root : part.message;
        switch (section.text()) {
            case "" -> {
                if (section.part().length == 0) {
                    partial(line, file, root.headerStart, root.end, section);
                } else {
                    partial(line, file, part.bodyStart, part.end, section);
                }
            }
            case "MIME" -> partial(line, file, part.headerStart, part.bodyStart, section);
            case "HEADER" -> {
                if (message == null) {
                    line.append("\"\"");
                } else {
                    partial(line, file, message.headerStart, message.bodyStart, section);
                }
            }
            case "TEXT" -> {
                if (message == null) {
                    line.append("\"\"");
                } else {
                    partial(line, file, message.bodyStart, message.end, section);
                }
            }
            default -> { // HEADER.FIELDS and HEADER.FIELDS.NOT
                if (message == null) {
                    line.append("\"\"");
                    return;
                }
                byte[] selectedFields = headerFields(message.header, section.fields(), section.text().endsWith(".NOT"));
                long start = Math.max(0, section.partialStart());
                long end = section.partialLength() >= 0 ? Math.min(selectedFields.length, start + section.partialLength()) : selectedFields.length;
                int from = (int) Math.min(start, selectedFields.length);
                int length = (int) Math.max(0, end - from);
                line.append('{').append(length).append("}\r\n");
                send(line.toString());
                line.setLength(0);
                sendBytes(selectedFields, from, length);
            }
        }
    }

    /** The raw lines of the named header fields (or all others), followed by the blank line (RFC 3501 §6.4.5). */
    static byte[] headerFields(String header, List<String> names, boolean not) {
        StringBuilder out = new StringBuilder();
        boolean keep = false;
        for (String raw : header.split("(?<=\n)")) {
            if (raw.isEmpty()) {
                continue;
            }
            if (raw.charAt(0) != ' ' && raw.charAt(0) != '\t') {
                int colon = raw.indexOf(':');
                String field = colon > 0 ? raw.substring(0, colon).trim().toUpperCase(Locale.ROOT) : "";
                keep = names.contains(field) != not;
            }
            if (keep) {
                out.append(raw);
                if (!raw.endsWith("\n")) {
                    out.append("\r\n");
                }
            }
        }
        out.append("\r\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void partial(StringBuilder line, Path file, long from, long to, Command.Section section) throws IOException {
        long start = from;
        long end = to;
        if (section.partialStart() >= 0) {
            start = Math.min(to, from + section.partialStart());
            end = Math.min(to, start + section.partialLength());
        }
        sendRegion(line, file, start, end);
    }

    /** Sends {@code line} then bytes [from, to) of the file as a literal, streaming (64 KiB at a time). */
    private void sendRegion(StringBuilder line, Path file, long from, long to) throws IOException {
        long length = Math.max(0, to - from);
        line.append('{').append(length).append("}\r\n");
        send(line.toString());
        line.setLength(0);
        if (length == 0) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, 65536));
            long position = from;
            while (position < to) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), to - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException("message file is shorter than its index says");
                }
                sendBytes(buffer.array(), 0, n);
                position += n;
            }
        }
    }

    /** BINARY[part] / BINARY.SIZE[part]: the part's content with its transfer encoding undone (RFC 3516 §4). */
    private void binary(StringBuilder line, String name, Path file, MimeStructure.Part part, Command.Section section) throws IOException {
        if (part == null || part.isMultipart()) {
            line.append(name).append(" NIL");
            return;
        }
        Path decoded = Files.createTempFile(file.getParent(), "binary", ".tmp");
        try {
            try (InputStream raw = new BufferedInputStream(Channels.newInputStream(open(file, part.bodyStart)));
                 InputStream in = decoding(new LimitedInputStream(raw, part.end - part.bodyStart), transferEncoding(part));
                 OutputStream target = Files.newOutputStream(decoded)) {
                in.transferTo(target);
            }
            long size = Files.size(decoded);
            if (section.kind().equals("BINARY.SIZE")) {
                line.append(name).append(' ').append(size);
                return;
            }
            long start = section.partialStart() >= 0 ? Math.min(size, section.partialStart()) : 0;
            long end = section.partialStart() >= 0 ? Math.min(size, start + section.partialLength()) : size;
            line.append(name).append(section.partialStart() >= 0 ? "<" + section.partialStart() + ">" : "").append(" ~");
            sendRegion(line, decoded, start, end);
        } finally {
            Files.deleteIfExists(decoded);
        }
    }

    /** The transfer encodings of RFC 2045 §6.1 that BINARY can undo; an x-token (e.g. x-uuencode) it cannot. */
    private static final Set<String> KNOWN_ENCODINGS = Set.of("7bit", "8bit", "binary", "base64", "quoted-printable");

    private static String transferEncoding(MimeStructure.Part part) {
        return Optional.ofNullable(part.field("Content-Transfer-Encoding")).orElse("7bit").trim().toLowerCase(Locale.ROOT);
    }

    /** Whether BINARY can answer for this part: a missing part or a multipart is NIL, a leaf needs a known encoding. */
    private static boolean decodable(MimeStructure.Part part) {
        return part == null || part.isMultipart() || KNOWN_ENCODINGS.contains(transferEncoding(part));
    }

    /** The content of a part with its transfer encoding undone (the identity for 7bit, 8bit, binary and unknown ones). */
    private static InputStream decoding(InputStream raw, String encoding) {
        return switch (encoding) {
            case "base64" -> new Base64InputStream(raw, DecodeMonitor.SILENT);
            case "quoted-printable" -> new QuotedPrintableInputStream(raw, DecodeMonitor.SILENT);
            default -> raw;
        };
    }

    private static FileChannel open(Path file, long position) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(position);
        return channel;
    }

    /** At most {@code remaining} bytes of a stream. */
    private static final class LimitedInputStream extends java.io.FilterInputStream {
        private long remaining;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }

    // ---- STORE, COPY, MOVE ----

    private void store(Command.Store store) {
        String tag = store.tag();
        if (readOnly(tag)) {
            return;
        }
        if (!store.uid() && !validSeqSet(store.set())) {
            sendTagged(tag, "BAD", "invalid message sequence number");
            return;
        }
        if (store.unchangedSince() >= 0) {
            condstore = true;
        }
        List<String> flags = store.flags().stream().filter(f -> !f.equals("\\Recent")).toList();
        long[] uids = resolveUids(store.set(), store.uid());
        List<Long> modified = new ArrayList<>();
        for (int from = 0; from < uids.length; from += BATCH * 4) {
            long[] batch = Arrays.copyOfRange(uids, from, Math.min(uids.length, from + BATCH * 4));
            ImapStore.StoreResult result = services.store().store(selected.row.id(), batch, store.mode(), flags, store.unchangedSince());
            modified.addAll(result.modified());
            for (FlagChange change : result.changed()) {
                selected.ownModSeqs.add(change.modSeq());
                if (store.silent() && !condstore) {
                    continue;
                }
                int seq = selected.seq(change.uid());
                List<String> data = new ArrayList<>();
                if (!store.silent()) {
                    data.add("FLAGS (" + change.flags() + ")");
                }
                if (store.uid()) {
                    data.add("UID " + change.uid());
                }
                if (condstore) {
                    data.add("MODSEQ (" + change.modSeq() + ")");
                }
                send("* " + seq + " FETCH (" + String.join(" ", data) + ")\r\n");
            }
        }
        refresh(store.uid());
        if (!modified.isEmpty()) {
            List<Long> numbers = store.uid() ? modified : modified.stream().map(u -> (long) selected.seq(u)).toList();
            sendTagged(tag, "OK", "[MODIFIED " + SequenceSet.format(numbers) + "] conditional STORE failed for some messages");
            return;
        }
        ok(tag, (store.uid() ? "UID " : "") + "STORE completed");
    }

    private void copy(Command.Copy copy) {
        String tag = copy.tag();
        if (copy.move() && readOnly(tag)) {
            return;
        }
        if (!copy.uid() && !validSeqSet(copy.set())) {
            sendTagged(tag, "BAD", "invalid message sequence number");
            return;
        }
        Optional<MailboxRow> target = services.store().mailbox(account.id(), copy.mailbox());
        if (target.isEmpty()) {
            sendTagged(tag, "NO", "[TRYCREATE] no such mailbox");
            return;
        }
        long[] uids = resolveUids(copy.set(), copy.uid());
        if (uids.length == 0) {
            ok(tag, "nothing to " + (copy.move() ? "move" : "copy"));
            return;
        }
        ImapStore.CopyResult result = services.store().copy(account.id(), selected.row.id(), uids, target.get(), copy.move());
        String copyUid = "[COPYUID " + result.uidValidity() + " " + SequenceSet.format(result.sourceUids(), result.sourceUids().length) + " "
                + SequenceSet.format(result.targetUids(), result.targetUids().length) + "]";
        if (copy.move()) {
            // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges
            send("* OK " + copyUid + " moved\r\n");
            reportExpunged(result.sourceUids());
            refresh(true);
            ok(tag, (copy.uid() ? "UID " : "") + "MOVE completed");
        } else {
            refresh(copy.uid());
            ok(tag, copyUid + " " + (copy.uid() ? "UID " : "") + "COPY completed");
        }
    }

    // ---- SEARCH (RFC 3501 §6.4.4, RFC 4731 ESEARCH) ----

    private void search(Command.Search search) {
        String tag = search.tag();
        if (search.charset() != null && !search.charset().equals("UTF-8") && !search.charset().equals("US-ASCII")) {
            sendTagged(tag, "NO", "[BADCHARSET (UTF-8 US-ASCII)] unsupported charset");
            return;
        }
        boolean usesModSeq = mentions(search.key(), k -> k instanceof Command.ModSeq);
        boolean usesEnvelope = mentions(search.key(), k -> k instanceof Command.Header h && Matcher.envelopeField(h) >= 0);
        if (usesModSeq) {
            condstore = true;
        }
        List<Long> matches = new ArrayList<>();
        long highestMatchModSeq = 0;
        Selected s = selected;
        List<Object> args = new ArrayList<>();
        String condition = ImapStore.condition(search.key(), args);
        if (condition != null && s.count > 0) { // flag keys: SQLite returns the matches only
            long[] highest = {0};
            services.store().matching(s.row.id(), s.uid(1), s.uid(s.count), condition, args, (uid, modSeq) -> {
                int seq = s.seq(uid);
                if (seq > 0) {
                    matches.add(search.uid() ? uid : seq);
                    highest[0] = Math.max(highest[0], modSeq);
                }
            });
            highestMatchModSeq = highest[0];
        }
        List<Object> prefilterArgs = new ArrayList<>();
        String prefilter = condition == null ? ImapStore.subjectPrefilter(search.key(), prefilterArgs) : null;
        for (int from = 1; condition == null && from <= s.count; from += BATCH * 4) {
            int to = Math.min(s.count, from + BATCH * 4 - 1);
            List<MessageRow> rows = prefilter != null ? services.store().messages(s.row.id(), s.uid(from), s.uid(to), prefilter, prefilterArgs)
                    : services.store().messages(s.row.id(), s.uid(from), s.uid(to), usesEnvelope);
            for (MessageRow row : rows) {
                int seq = s.seq(row.uid());
                if (seq > 0 && new Matcher(row, seq).matches(search.key())) {
                    matches.add(search.uid() ? row.uid() : seq);
                    highestMatchModSeq = Math.max(highestMatchModSeq, row.modSeq());
                }
            }
        }
        if (search.esearch() || rev2) {
            StringBuilder line = new StringBuilder("* ESEARCH (TAG ");
            ImapEncoding.string(line, tag, false);
            line.append(')');
            if (search.uid()) {
                line.append(" UID");
            }
            List<String> options = search.returnOptions().isEmpty() ? List.of("ALL") : search.returnOptions();
            if (!matches.isEmpty()) {
                if (options.contains("MIN")) {
                    line.append(" MIN ").append(matches.get(0));
                }
                if (options.contains("MAX")) {
                    line.append(" MAX ").append(matches.get(matches.size() - 1));
                }
                if (options.contains("ALL")) {
                    line.append(" ALL ").append(SequenceSet.format(matches));
                }
            }
            if (options.contains("COUNT")) {
                line.append(" COUNT ").append(matches.size());
            }
            if (usesModSeq && !matches.isEmpty()) {
                line.append(" MODSEQ ").append(highestMatchModSeq);
            }
            send(line.append("\r\n").toString());
        } else {
            StringBuilder line = new StringBuilder("* SEARCH");
            for (long n : matches) {
                line.append(' ').append(n);
                if (line.length() > 4096) {
                    send(line.toString());
                    line.setLength(0);
                }
            }
            if (usesModSeq && !matches.isEmpty()) {
                line.append(" (MODSEQ ").append(highestMatchModSeq).append(')');
            }
            send(line.append("\r\n").toString());
        }
        refresh(search.uid());
        ok(tag, (search.uid() ? "UID " : "") + "SEARCH completed");
    }

    /** Whether a search key or any key inside it satisfies {@code test}. */
    private static boolean mentions(Command.SearchKey key, java.util.function.Predicate<Command.SearchKey> test) {
        if (test.test(key)) {
            return true;
        }
        if (key instanceof Command.And and) {
            return and.keys().stream().anyMatch(k -> mentions(k, test));
        }
        if (key instanceof Command.Or or) {
            return mentions(or.left(), test) || mentions(or.right(), test);
        }
        return key instanceof Command.Not not && mentions(not.key(), test);
    }

    /** Evaluates a search key against one message; reads its header or text only when a key needs them. */
    private final class Matcher {
        private final MessageRow row;
        private final int seq;
        private MimeStructure.Part structure;
        private MimeStructure.Part header;
        private List<Object> envelope;
        private String text;

        Matcher(MessageRow row, int seq) {
            this.row = row;
            this.seq = seq;
        }

        boolean matches(Command.SearchKey key) {
            if (key instanceof Command.And and) {
                return and.keys().stream().allMatch(this::matches);
            } else if (key instanceof Command.Or or) {
                return matches(or.left()) || matches(or.right());
            } else if (key instanceof Command.Not not) {
                return !matches(not.key());
            } else if (key instanceof Command.Constant c) {
                return c.value();
            } else if (key instanceof Command.FlagKey f) {
                return ImapStore.parseFlags(row.flags()).stream().anyMatch(x -> x.equalsIgnoreCase(f.flag())) == f.set();
            } else if (key instanceof Command.Seq q) {
                return q.uid() ? q.set().contains(row.uid(), selected.uid(selected.count)) : q.set().contains(seq, selected.count);
            } else if (key instanceof Command.Size z) {
                return z.larger() ? row.size() > z.size() : row.size() < z.size();
            } else if (key instanceof Command.ModSeq m) {
                return row.modSeq() >= m.modSeq();
            } else if (key instanceof Command.DateKey d) {
                return compareDate(d);
            } else if (key instanceof Command.Header h) {
                return header(h);
            }
            return text((Command.Text) key);
        }

        private boolean compareDate(Command.DateKey d) {
            LocalDate date;
            if (d.sent()) {
                String value = header().field("Date");
                if (value == null) {
                    return false;
                }
                java.util.Date parsed = org.apache.james.mime4j.field.DateTimeFieldLenientImpl.PARSER
                        .parse(new org.apache.james.mime4j.stream.RawField("Date", value), DecodeMonitor.SILENT).getDate();
                if (parsed == null) {
                    return false;
                }
                // RFC 3501 §6.4.4: SENT* compare the date in the Date: header, disregarding time and timezone
                date = parsed.toInstant().atOffset(java.time.ZoneOffset.UTC).toLocalDate();
            } else {
                date = java.time.Instant.ofEpochMilli(row.internalDate()).atZone(ZoneId.systemDefault()).toLocalDate();
            }
            int c = date.compareTo(d.date());
            return d.comparison() < 0 ? c < 0 : d.comparison() == 0 ? c == 0 : c >= 0;
        }

        /**
         * The ENVELOPE element a key searches, or -1. RFC 3501 §6.4.4 defines BCC, CC, FROM, SUBJECT and TO on the
         * envelope structure's fields: those come from the structure cache, so they read no message file.
         */
        static int envelopeField(Command.Header h) {
            if (h.value().isEmpty()) {
                return -1; // "has this field at all" is a question for the header itself
            }
            return switch (h.field()) {
                case "SUBJECT" -> 1;
                case "FROM" -> 2;
                case "TO" -> 5;
                case "CC" -> 6;
                case "BCC" -> 7;
                default -> -1;
            };
        }

        /** An envelope element as searchable text: a decoded subject, or addresses as "name <mailbox@host>". */
        private String envelopeText(int index) {
            if (envelope == null) {
                envelope = ImapEncoding.parseList(row.envelope() != null ? row.envelope() : MimeStructure.envelope(header()));
            }
            Object element = envelope.get(index);
            if (element == null) {
                return "";
            }
            if (element instanceof String subject) {
                return DecoderUtil.decodeEncodedWords(subject, DecodeMonitor.SILENT);
            }
            StringBuilder text = new StringBuilder();
            for (Object address : (List<?>) element) {
                List<?> parts = (List<?>) address;
                if (parts.get(0) != null) {
                    text.append(DecoderUtil.decodeEncodedWords((String) parts.get(0), DecodeMonitor.SILENT)).append(' ');
                }
                if (parts.get(2) != null) {
                    text.append('<').append(parts.get(2)).append(parts.get(3) != null ? "@" + parts.get(3) : "").append("> ");
                }
            }
            return text.toString();
        }

        private boolean header(Command.Header h) {
            String needle = h.value().toLowerCase(Locale.ROOT);
            int index = envelopeField(h);
            if (index >= 0) {
                return envelopeText(index).toLowerCase(Locale.ROOT).contains(needle);
            }
            for (String[] field : MimeStructure.fields(header().header)) {
                if (field[0].equalsIgnoreCase(h.field())) {
                    if (needle.isEmpty()) {
                        return true;
                    }
                    String value = DecoderUtil.decodeEncodedWords(field[1], DecodeMonitor.SILENT);
                    if (value.toLowerCase(Locale.ROOT).contains(needle)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private boolean text(Command.Text t) {
            String needle = t.value().toLowerCase(Locale.ROOT);
            if (t.includeHeader()) {
                for (String[] field : MimeStructure.fields(header().header)) {
                    if (DecoderUtil.decodeEncodedWords(field[1], DecodeMonitor.SILENT).toLowerCase(Locale.ROOT).contains(needle)) {
                        return true;
                    }
                }
            }
            return bodyText().contains(needle);
        }

        /** The top header only: header keys never read the body. */
        private MimeStructure.Part header() {
            if (structure != null) {
                return structure;
            }
            if (header == null) {
                try {
                    header = parseHeader(services.store().file(row.file()));
                } catch (IOException e) {
                    header = new MimeStructure.Part();
                }
            }
            return header;
        }

        private MimeStructure.Part structure() {
            if (structure == null) {
                try {
                    structure = parse(services.store().file(row.file()));
                } catch (IOException e) {
                    structure = new MimeStructure.Part();
                }
            }
            return structure;
        }

        /** The decoded text of the message's text parts, lower-cased, at most MAX_SEARCH_TEXT bytes read. */
        private String bodyText() {
            if (text == null) {
                StringBuilder all = new StringBuilder();
                Path file = services.store().file(row.file());
                collectText(structure(), file, all, new long[] {MAX_SEARCH_TEXT});
                text = all.toString().toLowerCase(Locale.ROOT);
            }
            return text;
        }

        private void collectText(MimeStructure.Part part, Path file, StringBuilder all, long[] budget) {
            if (budget[0] <= 0) {
                return;
            }
            if (part.isMultipart() && !part.children.isEmpty()) {
                part.children.forEach(child -> collectText(child, file, all, budget));
                return;
            }
            if (part.isMessage() && part.message != null) {
                for (String[] field : MimeStructure.fields(part.message.header)) {
                    all.append(DecoderUtil.decodeEncodedWords(field[1], DecodeMonitor.SILENT)).append('\n');
                }
                collectText(part.message, file, all, budget);
                return;
            }
            if (!part.type.equals("text") && part.headerStart != 0) {
                return;
            }
            long length = Math.min(budget[0], part.end - part.bodyStart);
            budget[0] -= length;
            Charset charset;
            try {
                charset = Charset.forName(part.params.getOrDefault("charset", "us-ascii"));
            } catch (RuntimeException e) {
                charset = StandardCharsets.ISO_8859_1;
            }
            try (InputStream raw = new LimitedInputStream(new BufferedInputStream(Channels.newInputStream(open(file, part.bodyStart))), length);
                 InputStream in = decoding(raw, transferEncoding(part))) {
                all.append(new String(in.readAllBytes(), charset)).append('\n');
            } catch (IOException e) {
                LOG.debugf("cannot read %s for SEARCH: %s", row.file(), e.getMessage());
            }
        }
    }
}
