package org.mailkeep.imap;

import org.jboss.logging.Logger;
import org.mailkeep.imap.Command.Literal;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.box.ConflictException;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;
import org.mailkeep.store.StoreException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

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
    /** A failed login is answered after this delay; repeated failures lock out through {@link AuthGuard}. */
    static final long FAILED_LOGIN_DELAY_MILLIS = 1000;
    static final List<String> SYSTEM_FLAGS = List.of("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft");

    /** What the session needs from its connection. */
    interface Transport {
        /** Queues bytes for sending; never blocks (the session looks at {@link #congested()} first). */
        void write(byte[] bytes);

        /** Whether the connection's write queue is full: the client has not read what it was sent. */
        boolean congested();

        /**
         * Runs {@code task} on the session's executor once the write queue has room again, holding no thread meanwhile;
         * a client that reads nothing for long is disconnected instead (issue 15: it must not stall the workers).
         */
        void whenDrained(Runnable task);

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

    enum State { NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT }

    // the session's state, read and changed by its command families (package-private for them)
    final Services services;
    final Transport transport;
    boolean tls;
    final CommandFramer framer = new CommandFramer(MAX_COMMAND);
    private final ResponseWriter out;
    /** The rest of a command that waits for the client to read what it answered so far (a long FETCH). */
    private Runnable continuation;

    State state = State.NOT_AUTHENTICATED;
    Directory.Account account;
    boolean condstore;
    boolean qresync;
    boolean rev2;
    /** Mailbox names and quoted strings are UTF-8, not modified UTF-7 (RFC 6855 UTF8=ACCEPT, or IMAP4rev2). */
    boolean utf8Names;
    SelectedState selected;
    /** Commands are not read while set: a STARTTLS handshake or a failed login's delay is pending. */
    boolean suspended;
    String idleTag;
    boolean closed;

    // command assembly
    private final List<Object> parts = new ArrayList<>();
    private int commandBytes;
    private ByteArrayOutputStream literalMemory;
    private Path literalFile;
    private FileChannel literalChannel;

    // the command families
    private final Authentication authentication;
    private final MailboxCommands mailboxes;
    private final Fetch fetch;
    private final StoreAndCopy storeAndCopy;
    private final Search search;

    ImapSession(Services services, Transport transport, boolean tls) {
        this.services = services;
        this.transport = transport;
        this.tls = tls;
        this.out = new ResponseWriter(transport, this::resume);
        this.authentication = new Authentication(this);
        this.mailboxes = new MailboxCommands(this);
        this.fetch = new Fetch(this);
        this.storeAndCopy = new StoreAndCopy(this);
        this.search = new Search(this);
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

    /** Runs the commands received, until one waits (TLS, a failed login's delay, or a client that does not read). */
    void process() {
        guarded(() -> {
            while (!suspended && !closed && continuation == null && !out.backlogged()) {
                CommandFramer.Event event = framer.next();
                if (event == null) {
                    break;
                }
                handle(event);
            }
        });
    }

    /** The client read what waited: the command in progress goes on, then the commands received meanwhile. */
    private void resume() {
        if (closed) {
            return;
        }
        Runnable next = continuation;
        continuation = null;
        if (next != null) {
            guarded(next);
        }
        process();
    }

    /** Has {@code rest} run once the client has read the output waiting now (which a backlogged() check found). */
    void continueWith(Runnable rest) {
        continuation = rest;
    }

    private void guarded(Runnable work) {
        try {
            work.run();
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
        if (authentication.exchanging()) {
            authentication.respond(new String(line.bytes(), StandardCharsets.US_ASCII).trim());
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
        out.close();
        continuation = null;
        discardLiteralFile();
        if (selected != null) {
            services.store().unwatch(selected.row.id(), selected.watcher);
            selected = null;
        }
    }

    /** Tells the client of changes to the selected mailbox, if one is selected (see {@link SelectedState#refresh}). */
    void refresh(boolean expungeAllowed) {
        if (selected != null) {
            selected.refresh(expungeAllowed);
        }
    }

    void closeNow() {
        closed();
        transport.close();
    }

    // ---- output ----

    void send(String text) {
        out.send(text);
    }

    void sendBytes(byte[] bytes, int offset, int length) {
        out.send(bytes, offset, length);
    }

    /** Bytes [from, to) of a file, sent as the client reads them (see {@link ResponseWriter}). */
    void sendFile(Path file, long from, long to) throws IOException {
        out.sendFile(file, from, to);
    }

    /** Whether output waits for the client to read: a long command then stops at its next message (continueWith). */
    boolean backlogged() {
        return out.backlogged();
    }

    void flush() {
        out.flush();
    }

    void sendTagged(String tag, String status, String text) {
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
            authentication.startTls(tag);
        } else if (command instanceof Command.Id) {
            send("* ID (\"name\" \"MailKeep\" \"vendor\" \"MailKeep\")\r\n");
            ok(tag, "ID completed");
        } else if (command instanceof Command.Login login) {
            authentication.login(tag, login.user(), login.password());
        } else if (command instanceof Command.Authenticate auth) {
            authentication.authenticate(auth);
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
            mailboxes.select(select);
        } else if (is(command, "NAMESPACE")) {
            send("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
            ok(tag, "NAMESPACE completed");
        } else if (command instanceof Command.Create create) {
            mailboxes.create(create);
        } else if (command instanceof Command.MailboxCommand m) {
            mailboxes.mailboxCommand(m);
        } else if (command instanceof Command.Rename r) {
            services.store().rename(account.id(), r.from(), r.to());
            ok(tag, "RENAME completed");
        } else if (command instanceof Command.ListCommand list) {
            mailboxes.list(list);
        } else if (command instanceof Command.Status status) {
            mailboxes.status(status);
        } else if (command instanceof Command.Append append) {
            mailboxes.append(append);
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
            mailboxes.deselect();
            ok(tag, ((Command.Simple) command).name() + " completed");
        } else if (is(command, "EXPUNGE")) {
            if (readOnly(tag)) {
                return;
            }
            selected.reportExpunged(services.store().expunge(selected.row.id(), null));
            refresh(true);
            ok(tag, "EXPUNGE completed");
        } else if (command instanceof Command.UidExpunge e) {
            if (readOnly(tag)) {
                return;
            }
            selected.reportExpunged(services.store().expunge(selected.row.id(), selected.resolveUids(e.set(), true)));
            refresh(true);
            ok(tag, "UID EXPUNGE completed");
        } else if (command instanceof Command.Fetch fetch) {
            this.fetch.fetch(fetch);
        } else if (command instanceof Command.Store store) {
            storeAndCopy.store(store);
        } else if (command instanceof Command.Copy copy) {
            storeAndCopy.copy(copy);
        } else if (command instanceof Command.Search search) {
            this.search.search(search);
        } else {
            sendTagged(tag, "BAD", "command not allowed here");
        }
    }

    private void ok(String tag, String text) {
        sendTagged(tag, "OK", text);
    }

    boolean readOnly(String tag) {
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
}
