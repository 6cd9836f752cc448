package org.mailkeep.smtp;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;
import org.mailkeep.auth.SaslExchange;
import org.mailkeep.maillog.MailEvent;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.policy.SmtpContext;
import org.mailkeep.policy.Verdict;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.store.MessageStore;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * One SMTP session: the RFC 5321 state machine on top of a {@link SmtpDecoder}. Runs on the connection's
 * Vert.x event loop; everything that may block (directory lookups, policy checks, password hashing, fsync)
 * runs on a worker thread while the socket is paused, and the session continues with the input already
 * buffered (PIPELINING, RFC 2920). Replies are collected and written once per batch of input.
 */
final class SmtpSession {

    private static final Logger LOG = Logger.getLogger(SmtpSession.class);
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    /** Commands answered before their replies are written and the write queue is looked at. */
    static final int PIPELINE_BATCH = 64;

    private final SmtpServer server;
    private final SmtpServer.Listener listener;
    private final NetSocket socket;
    private final SmtpContext context;
    private final SmtpDecoder decoder = new SmtpDecoder();
    private final SmtpOutput output;
    private String hostname = "localhost";

    private boolean greeted;
    private boolean busy;
    private boolean closed;
    private boolean tls;
    private boolean esmtp;
    private long timer = -1;
    private long sessionTimer = -1;
    private int junk;

    private Directory.Account account;
    private SaslExchange sasl; // an AUTH exchange in progress
    private int authFailures;

    // the mail transaction
    private boolean smtputf8;
    private final Map<Long, Directory.Account> localAccounts = new LinkedHashMap<>();
    private final List<String> remoteRecipients = new ArrayList<>();
    private Path spool;
    private FileChannel spoolChannel;
    private long size;
    private boolean receiving;
    private boolean chunking;
    private boolean lastChunk;
    private String contentError;

    SmtpSession(SmtpServer server, SmtpServer.Listener listener, NetSocket socket, String id) {
        this.server = server;
        this.listener = listener;
        this.socket = socket;
        this.output = new SmtpOutput(socket, server.vertx(), server.limits().commandTimeout());
        this.tls = listener.implicitTls();
        this.context = new SmtpContext(id, listener.submission() ? SmtpContext.Listener.SUBMISSION : SmtpContext.Listener.MX,
                server.remoteInetAddress(socket));
        context.tls(tls);
    }

    void start() {
        output.onDrained(this::process);
        limitSessionLength(server.limits().maxSessionLength());
        socket.handler(this::received);
        socket.closeHandler(v -> closed());
        socket.exceptionHandler(e -> LOG.debugf("session %s: %s", context.sessionId(), e.getMessage()));
        blocking(() -> {
            hostname = server.hostname();
            return server.policy().connect(context);
        }, verdict -> {
            if (!verdict.accepted()) {
                log(verdict, null, null, "connection refused");
                reply(verdict, "554", "5.7.1", "Connection refused");
                close();
                return;
            }
            Duration delay = listener.submission() ? Duration.ZERO : server.limits().greetingDelay();
            if (delay.isZero()) {
                greet();
            } else {
                busy = true; // input now is an early talker's
                timer = server.vertx().setTimer(delay.toMillis(), t -> {
                    busy = false;
                    greet();
                    process();
                });
            }
        });
    }

    /** Ends the session after {@code length}; one busy storing a message is given the time to answer first. */
    private void limitSessionLength(Duration length) {
        sessionTimer = server.vertx().setTimer(length.toMillis(), t -> {
            sessionTimer = -1;
            if (busy && receiving) {
                limitSessionLength(Duration.ofSeconds(1));
            } else if (!closed) {
                server.metrics().rejected("session-length");
                reply("421 4.4.2 " + hostname + " Session too long, closing connection");
                close();
            }
        });
    }

    /** Counts an unrecognized, bad or junk command; one too many ends the session. */
    private void junk() {
        if (++junk > server.limits().maxJunkCommands() && !closed) {
            server.metrics().rejected("junk-commands");
            reply("421 4.7.0 " + hostname + " Too many unrecognized or junk commands, closing connection");
            close();
        }
    }

    private void greet() {
        greeted = true;
        reply("220 " + hostname + " ESMTP MailKeep");
        armTimer(server.limits().commandTimeout());
    }

    private void received(Buffer buffer) {
        if (closed) {
            return;
        }
        if (!greeted) {
            // RFC 5321 §4.3.1 / §3.1: the client waits for the greeting; one that talks first is not a real MTA
            server.metrics().rejected("early-talker");
            reply("554 5.5.0 Protocol error: talked before the greeting");
            close();
            return;
        }
        decoder.feed(buffer.getBytes());
        armTimer(receiving ? server.limits().dataBlockTimeout() : server.limits().commandTimeout());
        process();
    }

    /**
     * Handles the buffered input, flushing the replies every {@link #PIPELINE_BATCH} commands and stopping while the
     * client does not take them: RFC 2920 §3.1 lets the server bound what it answers in one go, and an unbounded
     * pipeline of unread replies is a memory attack.
     */
    private void process() {
        int answered = 0;
        while (!busy && !closed && !output.blocked()) {
            SmtpDecoder.Event event = decoder.next();
            if (event == null) {
                break;
            }
            handle(event);
            if (event instanceof SmtpDecoder.Line && ++answered % PIPELINE_BATCH == 0) {
                flush();
            }
        }
        flush();
    }

    private void handle(SmtpDecoder.Event event) {
        if (event instanceof SmtpDecoder.Line line) {
            if (sasl != null) {
                authStep(sasl.respond(line.text()));
            } else {
                command(SmtpCommand.parse(line.text()));
            }
        } else if (event instanceof SmtpDecoder.Content content) {
            write(content.bytes());
        } else if (event instanceof SmtpDecoder.EndOfData) {
            endOfMessage();
        } else if (event instanceof SmtpDecoder.ChunkEnd) {
            endOfChunk();
        } else if (event instanceof SmtpDecoder.LineTooLong) {
            if (receiving) {
                contentError = "500 5.5.6 Message has a line longer than 1000 octets";
            } else {
                reply("500 5.5.2 Line too long");
                junk();
            }
        } else if (event instanceof SmtpDecoder.Nul) {
            if (receiving) {
                contentError = "554 5.6.0 Message contains NUL octets";
            } else {
                reply("500 5.5.2 NUL octet in command");
                junk();
            }
        } else if (event instanceof SmtpDecoder.BareNewline bare) {
            // Postfix smtpd_forbid_bare_newline: no line end can be trusted any more, end the session
            server.metrics().rejected("bare-newline");
            reply("521 5.5.2 " + hostname + " Error: bare <" + bare.which() + "> received");
            close();
        }
    }

    private void endOfChunk() {
        if (lastChunk) {
            endOfMessage();
            return;
        }
        receiving = false;
        if (contentError == null) {
            reply("250 2.0.0 " + size + " octets received");
            return;
        }
        // RFC 3030 §2: a failed chunk ends the transaction; later BDATs fail until a new MAIL
        server.metrics().rejected(reasonOf(contentError));
        reply(contentError);
        resetTransaction();
    }

    private void command(SmtpCommand command) {
        switch (command.verb()) {
            case "EHLO", "HELO" -> helo(command);
            case "MAIL" -> mail(command.argument());
            case "RCPT" -> rcpt(command.argument());
            case "DATA" -> data(command.argument());
            case "BDAT" -> bdat(command.argument());
            case "RSET" -> {
                resetTransaction();
                reply("250 2.0.0 OK");
            }
            case "NOOP" -> {
                reply("250 2.0.0 OK");
                junk();
            }
            case "QUIT" -> {
                reply("221 2.0.0 Bye");
                close();
            }
            case "VRFY" -> {
                reply("252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery"); // RFC 5321 §3.5.3
                junk();
            }
            case "HELP" -> {
                reply("214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");
                junk();
            }
            case "STARTTLS" -> startTls(command.argument());
            case "AUTH" -> auth(command.argument());
            default -> {
                reply("502 5.5.1 Command not recognized");
                junk();
            }
        }
    }

    private void helo(SmtpCommand command) {
        if (command.argument().isEmpty() || command.argument().contains(" ")) {
            reply("501 5.5.4 Syntax: " + command.verb() + " hostname");
            return;
        }
        resetTransaction();
        context.heloName(command.argument());
        esmtp = command.verb().equals("EHLO");
        if (!esmtp) {
            reply("250 " + hostname);
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(hostname);
        lines.add("PIPELINING");
        lines.add("SIZE " + server.limits().maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
        if (!tls && server.tlsAvailable()) {
            lines.add("STARTTLS");
        }
        if (tls && listener.submission()) {
            lines.add("AUTH PLAIN LOGIN"); // RFC 4954 §4: never offer passwords in clear
        }
        for (int i = 0; i < lines.size(); i++) {
            reply("250" + (i == lines.size() - 1 ? ' ' : '-') + lines.get(i));
        }
    }

    private void mail(String argument) {
        if (context.heloName() == null) {
            reply("503 5.5.1 Send EHLO first");
            return;
        }
        if (listener.submission() && account == null) {
            reply("530 5.7.0 Authentication required");
            return;
        }
        if (context.envelopeFrom() != null) {
            reply("503 5.5.1 Nested MAIL command");
            return;
        }
        Optional<SmtpCommand.PathArgument> path = SmtpCommand.path(argument, "FROM", true);
        if (path.isEmpty()) {
            server.metrics().rejected("invalid-address");
            reply("501 5.1.7 Bad sender address syntax");
            return;
        }
        Map<String, String> parameters = path.get().parameters();
        boolean utf8 = false;
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            switch (parameter.getKey()) {
                case "SIZE" -> {
                    long declared;
                    try {
                        declared = Long.parseLong(parameter.getValue());
                    } catch (NumberFormatException | NullPointerException e) {
                        reply("501 5.5.4 Bad SIZE parameter");
                        return;
                    }
                    if (declared > server.limits().maxMessageSize()) { // RFC 1870 §6.1
                        server.metrics().rejected("size");
                        reply("552 5.3.4 Message size exceeds fixed maximum message size");
                        return;
                    }
                }
                case "BODY" -> {
                    String body = String.valueOf(parameter.getValue()).toUpperCase(Locale.ROOT);
                    if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                        reply("501 5.5.4 Unsupported BODY type");
                        return;
                    }
                }
                case "SMTPUTF8" -> utf8 = true;
                case "AUTH" -> {
                    // RFC 4954 §5: accepted and not passed on
                }
                default -> {
                    reply("555 5.5.4 Unsupported parameter " + parameter.getKey());
                    return;
                }
            }
        }
        String from = path.get().address();
        if (!utf8 && !isAscii(from)) {
            reply("553 5.6.7 Non-ASCII address requires SMTPUTF8"); // RFC 6531 §3.5
            return;
        }
        boolean smtputf8Requested = utf8;
        blocking(() -> {
            context.envelopeFrom(from); // on submission, sender.SenderIdentityCheck decides whether the user may send as it
            Verdict verdict = server.policy().mailFrom(context);
            if (!verdict.accepted()) {
                context.envelopeFrom(null);
            }
            return verdict;
        }, verdict -> {
            if (!verdict.accepted()) {
                server.metrics().rejected(listener.submission() ? "sender-not-owned" : "policy");
                log(verdict, from, null, "sender rejected");
                reply(verdict, "550", "5.7.1", "Sender rejected");
                return;
            }
            smtputf8 = smtputf8Requested;
            reply("250 2.1.0 OK");
        });
    }

    private void rcpt(String argument) {
        if (context.envelopeFrom() == null) {
            reply("503 5.5.1 Need MAIL command first");
            return;
        }
        if (context.recipients().size() >= server.limits().maxRecipients()) {
            server.metrics().rejected("too-many-recipients");
            reply("452 4.5.3 Too many recipients"); // RFC 5321 §4.5.3.1.10
            return;
        }
        Optional<SmtpCommand.PathArgument> path = SmtpCommand.path(argument, "TO", false);
        if (path.isEmpty()) {
            server.metrics().rejected("invalid-address");
            reply("501 5.1.3 Bad recipient address syntax");
            return;
        }
        if (!path.get().parameters().isEmpty()) {
            reply("555 5.5.4 Unsupported parameter " + path.get().parameters().keySet().iterator().next());
            return;
        }
        String recipient = path.get().address();
        if (!smtputf8 && !isAscii(recipient)) {
            reply("553 5.6.7 Non-ASCII address requires SMTPUTF8");
            return;
        }
        Address address = Address.parse(recipient).orElseThrow();
        blocking(() -> {
            Directory directory = server.directory();
            if (!directory.isLocalDomain(address.domain())) {
                if (account == null) {
                    return new Rcpt(null, Verdict.reject("554", "5.7.1", "Relay access denied", "relay"), "relay-denied");
                }
                return new Rcpt(null, server.policy().rcptTo(context, recipient), "policy");
            }
            Optional<Directory.Account> target = directory.resolveRecipient(address);
            if (target.isEmpty()) {
                return new Rcpt(null, Verdict.reject("550", "5.1.1", "User unknown", "unknown user"), "unknown-user");
            }
            if (directory.overQuota(target.get(), 0)) { // RFC 3463 §3.3 X.2.2; 452 as for a recipient refused for storage (RFC 5321 §4.5.3.1.10)
                return new Rcpt(null, Verdict.tempfail("452", "4.2.2", "mailbox full", "mailbox full"), "mailbox-full");
            }
            return new Rcpt(target.get(), server.policy().rcptTo(context, recipient), "policy");
        }, rcpt -> {
            if (!rcpt.verdict().accepted()) {
                server.metrics().rejected(rcpt.reason());
                log(rcpt.verdict(), context.envelopeFrom(), recipient, rcpt.reason());
                reply(rcpt.verdict(), "550", "5.7.1", "Recipient rejected");
                return;
            }
            context.recipients().add(recipient);
            if (rcpt.account() != null) {
                localAccounts.putIfAbsent(rcpt.account().id(), rcpt.account());
            } else {
                remoteRecipients.add(recipient);
            }
            reply("250 2.1.5 OK");
        });
    }

    private record Rcpt(Directory.Account account, Verdict verdict, String reason) {
    }

    private void data(String argument) {
        if (!argument.isEmpty()) {
            reply("501 5.5.4 DATA takes no argument");
        } else if (chunking) {
            reply("503 5.5.1 DATA after BDAT"); // RFC 3030 §2
        } else if (context.envelopeFrom() == null) {
            reply("503 5.5.1 Need MAIL command first");
        } else if (context.recipients().isEmpty()) {
            reply("554 5.5.1 No valid recipients");
        } else if (openSpool()) {
            reply("354 End data with <CR><LF>.<CR><LF>");
            receiving = true;
            decoder.startData();
            armTimer(server.limits().dataBlockTimeout());
        }
    }

    private void bdat(String argument) {
        String[] parts = argument.split(" +");
        long chunk;
        try {
            chunk = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            reply("501 5.5.4 Syntax: BDAT size [LAST]");
            return;
        }
        boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
        if (chunk < 0 || parts.length > 2 || (parts.length == 2 && !last)) {
            reply("501 5.5.4 Syntax: BDAT size [LAST]");
            return;
        }
        // RFC 3030 §2: the chunk is read even when the command fails, so the session stays in step
        decoder.startChunk(chunk);
        lastChunk = last;
        if (context.envelopeFrom() == null || context.recipients().isEmpty()) {
            contentError = context.envelopeFrom() == null ? "503 5.5.1 Need MAIL command first" : "554 5.5.1 No valid recipients";
            receiving = true;
            return;
        }
        if (!chunking) {
            chunking = true;
            if (!openSpool()) {
                contentError = "451 4.3.0 Cannot open spool file";
            }
        }
        receiving = true;
    }

    private boolean openSpool() {
        try {
            spool = server.store().newSpoolFile();
            spoolChannel = FileChannel.open(spool, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            size = 0;
            contentError = null;
            return true;
        } catch (IOException e) {
            LOG.errorf("cannot create spool file: %s", e.getMessage());
            reply("451 4.3.0 Local error: cannot store the message now");
            deleteSpool();
            return false;
        }
    }

    /** Streams message octets to the spool file, counting them; past the size limit they are counted and dropped (RFC 1870 §6.3). */
    private void write(byte[] bytes) {
        size += bytes.length;
        server.metrics().bytes(bytes.length);
        if (spoolChannel == null || contentError != null) {
            return;
        }
        if (size > server.limits().maxMessageSize()) {
            contentError = "552 5.3.4 Message size exceeds fixed maximum message size";
            return;
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                spoolChannel.write(buffer);
            }
        } catch (IOException e) {
            LOG.errorf("cannot write spool file %s: %s", spool, e.getMessage());
            contentError = "451 4.3.0 Local error: cannot store the message now";
        }
    }

    private void endOfMessage() {
        receiving = false;
        chunking = false;
        armTimer(server.limits().dataTerminationTimeout());
        if (contentError != null || spool == null) {
            String error = contentError != null ? contentError : "554 5.5.1 No valid recipients";
            server.metrics().rejected(reasonOf(error));
            if (contentError != null) {
                logEach(error.startsWith("4") ? MailEvent.Result.TEMPFAILED : MailEvent.Result.REJECTED, error.substring(Math.min(4, error.length())));
            }
            deleteSpool();
            resetTransaction();
            reply(error);
            return;
        }
        try {
            spoolChannel.close();
        } catch (IOException e) {
            LOG.errorf("cannot close spool file %s: %s", spool, e.getMessage());
        }
        spoolChannel = null;
        Path received = spool;
        List<Long> accounts = List.copyOf(localAccounts.keySet());
        List<Directory.Account> quotaAccounts = List.copyOf(localAccounts.values());
        long messageSize = size;
        List<String> remote = List.copyOf(remoteRecipients);
        String from = context.envelopeFrom();
        String trace = receivedHeader();
        String authUser = account == null ? null : account.address();
        long started = System.nanoTime();
        blocking(() -> {
            Verdict full = quota(quotaAccounts, messageSize);
            if (full != null) {
                return full;
            }
            Verdict verdict = server.policy().data(context, received);
            if (!verdict.accepted()) {
                return verdict;
            }
            StringBuilder headers = new StringBuilder();
            verdict.headers().forEach(h -> headers.append(h).append("\r\n"));
            headers.append(trace);
            if (!accounts.isEmpty()) {
                // RFC 5321 §4.4: the delivering server adds Return-Path
                Path local = withHeaders(received, "Return-Path: <" + from + ">\r\n" + headers);
                String mailbox = verdict.junk() ? "Junk" : "INBOX";
                server.store().deliver(local, accounts.stream().map(id -> new MessageStore.Delivery(id, mailbox, Set.<String>of())).toList());
            }
            if (!remote.isEmpty()) {
                server.queue().enqueue(withHeaders(received, headers.toString()), from, remote, authUser);
            }
            return verdict;
        }, verdict -> {
            server.metrics().stored(System.nanoTime() - started);
            if (!verdict.accepted()) {
                server.metrics().rejected("policy");
                logEach(resultOf(verdict), verdict.reason() != null ? verdict.reason() : "message rejected");
                reply(verdict, "554", "5.7.1", "Message rejected");
            } else {
                server.metrics().accepted(listener.name());
                junk = 0;
                logEach(MailEvent.Result.ACCEPTED, verdict.reason());
                reply("250 2.0.0 OK " + context.sessionId());
            }
            deleteSpool();
            resetTransaction();
            armTimer(server.limits().commandTimeout());
        });
    }

    /** The mail log's record of a refusal by {@code verdict} ({@code fallback} when the check gave no reason). */
    private void log(Verdict verdict, String from, String to, String fallback) {
        log(resultOf(verdict), from, to, verdict.reason() != null ? verdict.reason() : fallback);
    }

    private void log(MailEvent.Result result, String from, String to, String reason) {
        server.mailLog().accept(MailEvent.now(listener.submission() ? MailEvent.Direction.OUT : MailEvent.Direction.IN, from, to, result,
                reason, context.remoteAddress().getHostAddress(), context.heloName()));
    }

    /** One mail log entry per recipient of the current transaction: the end of DATA answers for all of them. */
    private void logEach(MailEvent.Result result, String reason) {
        for (String recipient : context.recipients()) {
            log(result, context.envelopeFrom(), recipient, reason);
        }
    }

    private static MailEvent.Result resultOf(Verdict verdict) {
        return verdict.accepted() ? MailEvent.Result.ACCEPTED
                : verdict.action() == Verdict.Action.TEMPFAIL ? MailEvent.Result.TEMPFAILED : MailEvent.Result.REJECTED;
    }

    /**
     * Null when the message fits every local recipient's quota. Otherwise the whole transaction is refused (one reply
     * answers DATA for all recipients): 552 5.2.2 when it can never fit (larger than the quota itself, RFC 5321 §4.2.2
     * "exceeded storage allocation"), else 452 4.2.2 so the sender retries once the owner has made room.
     */
    private Verdict quota(List<Directory.Account> accounts, long messageSize) {
        List<Directory.Account> full = accounts.stream().filter(a -> server.directory().overQuota(a, messageSize)).toList();
        if (full.isEmpty()) {
            return null;
        }
        String who = full.stream().map(Directory.Account::address).collect(java.util.stream.Collectors.joining(", "));
        return full.stream().allMatch(a -> messageSize > a.quotaBytes())
                ? Verdict.reject("552", "5.2.2", "Message larger than the mailbox quota of " + who, "over quota: " + who)
                : Verdict.tempfail("452", "4.2.2", "Mailbox full: " + who, "mailbox full: " + who);
    }

    private static String reasonOf(String reply) {
        if (reply.startsWith("552")) {
            return "size";
        }
        if (reply.contains("NUL")) {
            return "nul";
        }
        if (reply.contains("longer than")) {
            return "line-length";
        }
        return "protocol";
    }

    /** A copy of the received message behind {@code headers}: the client's file stays as it came for the policy checks. */
    private Path withHeaders(Path message, String headers) throws IOException {
        Path target = server.store().newSpoolFile();
        try (FileChannel outChannel = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             FileChannel in = FileChannel.open(message, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.wrap(headers.getBytes(StandardCharsets.UTF_8));
            while (head.hasRemaining()) {
                outChannel.write(head);
            }
            long position = 0;
            long length = in.size();
            while (position < length) {
                position += in.transferTo(position, length - position, outChannel);
            }
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw e;
        }
        return target;
    }

    /** The trace header of RFC 5321 §4.4, with the protocol names of RFC 3848 / RFC 6531 §3.7.3 and the TLS and AUTH facts. */
    private String receivedHeader() {
        String base = smtputf8 ? "UTF8SMTP" : esmtp ? "ESMTP" : "SMTP";
        String protocol = base.equals("SMTP") ? base : base + (tls ? "S" : "") + (account != null ? "A" : "");
        StringBuilder header = new StringBuilder("Received: from ").append(context.heloName())
                .append(" ([").append(context.remoteAddress().getHostAddress()).append("])");
        SSLSession ssl = tls ? socket.sslSession() : null;
        if (ssl != null) {
            header.append("\r\n\t(using ").append(ssl.getProtocol()).append(" with cipher ").append(ssl.getCipherSuite()).append(")");
        }
        if (account != null) {
            header.append("\r\n\t(Authenticated sender: ").append(account.address()).append(")");
        }
        header.append("\r\n\tby ").append(hostname).append(" (MailKeep) with ").append(protocol).append(" id ").append(context.sessionId());
        if (context.recipients().size() == 1) {
            header.append("\r\n\tfor <").append(context.recipients().get(0)).append(">");
        }
        header.append(";\r\n\t").append(DATE.format(ZonedDateTime.now())).append("\r\n");
        return header.toString();
    }

    private void startTls(String argument) {
        if (tls || !server.tlsAvailable()) {
            reply("503 5.5.1 TLS already active");
            return;
        }
        if (!argument.isEmpty()) {
            reply("501 5.5.4 Syntax: STARTTLS");
            return;
        }
        reply("220 2.0.0 Ready to start TLS");
        flush();
        decoder.discardBuffered(); // RFC 3207 §6: nothing sent before the handshake may be taken as a command after it
        busy = true;
        socket.upgradeToSsl(ar -> {
            busy = false;
            if (ar.failed()) {
                LOG.debugf("session %s: TLS handshake failed: %s", context.sessionId(), ar.cause().getMessage());
                close();
                return;
            }
            tls = true;
            context.tls(true);
            // RFC 3207 §4.2: forget everything learnt before TLS
            context.heloName(null);
            esmtp = false;
            resetTransaction();
            decoder.discardBuffered();
            process();
        });
    }

    private void auth(String argument) {
        if (!listener.submission() || !tls) {
            reply(listener.submission() ? "530 5.7.0 Must issue a STARTTLS command first" : "502 5.5.1 AUTH not available");
            return;
        }
        if (account != null) {
            reply("503 5.5.1 Already authenticated");
            return;
        }
        if (context.envelopeFrom() != null) {
            reply("503 5.5.1 AUTH not allowed during a mail transaction");
            return;
        }
        String[] parts = argument.split(" +", 2);
        Optional<SaslExchange> exchange = SaslExchange.start(parts[0]);
        if (exchange.isEmpty()) {
            reply("504 5.5.4 Unrecognized authentication type");
            return;
        }
        sasl = exchange.get();
        authStep(sasl.begin(parts.length > 1 ? parts[1] : null));
    }

    /** RFC 4954 §4: one base64 line per challenge, "*" cancels. */
    private void authStep(SaslExchange.Step step) {
        if (step instanceof SaslExchange.Challenge challenge) {
            reply("334 " + challenge.base64());
            return;
        }
        sasl = null;
        if (step instanceof SaslExchange.Credentials credentials) {
            checkPassword(credentials.user(), credentials.password());
            return;
        }
        reply(switch (((SaslExchange.Failure) step).reason()) {
            case CANCELLED -> "501 5.0.0 Authentication cancelled";
            case NOT_BASE64 -> "501 5.5.2 Cannot decode response";
            case MALFORMED, AUTHORIZATION_DENIED -> "501 5.5.2 Malformed PLAIN response";
        });
    }

    private void checkPassword(String user, String password) {
        String login = user.strip().toLowerCase(Locale.ROOT);
        InetAddress ip = context.remoteAddress();
        AuthGuard.Decision guard = server.authGuard().check(ip, login);
        if (!guard.allowed()) { // RFC 4954 §6: 454 is a temporary failure; the password is not even looked at
            server.metrics().rejected("auth");
            LOG.infof("session %s ip=%s: login for %s refused: %s", context.sessionId(), ip.getHostAddress(), login, guard.reason());
            reply("454 4.7.0 Too many failed logins, try again in " + Math.max(1, guard.retryAfter().toSeconds()) + " seconds");
            return;
        }
        blocking(() -> server.directory().authenticate(login, password), result -> {
            if (result.isPresent()) {
                server.authGuard().success(ip, login);
                account = result.get();
                context.authenticatedUser(account.address());
                reply("235 2.7.0 Authentication successful");
                return;
            }
            server.authGuard().failure(ip, login);
            authFailures++;
            server.metrics().rejected("auth");
            LOG.infof("session %s ip=%s: authentication failed for %s", context.sessionId(), context.remoteAddress().getHostAddress(), login);
            busy = true;
            output.reading(false);
            server.vertx().setTimer(server.limits().authFailureDelay().toMillis(), t -> {
                busy = false;
                output.reading(true);
                reply("535 5.7.8 Authentication credentials invalid");
                if (authFailures >= server.limits().maxAuthFailures()) {
                    reply("421 4.7.0 Too many failed authentications");
                    close();
                }
                process();
            });
        });
    }

    private static boolean isAscii(String text) {
        return text.chars().allMatch(c -> c < 128);
    }

    private void resetTransaction() {
        context.resetTransaction();
        localAccounts.clear();
        remoteRecipients.clear();
        smtputf8 = false;
        chunking = false;
        receiving = false;
        contentError = null;
        deleteSpool();
    }

    private void deleteSpool() {
        if (spoolChannel != null) {
            try {
                spoolChannel.close();
            } catch (IOException e) {
                LOG.debugf("closing spool file: %s", e.getMessage());
            }
            spoolChannel = null;
        }
        if (spool != null) {
            try {
                Files.deleteIfExists(spool);
            } catch (IOException e) {
                LOG.warnf("cannot delete spool file %s: %s", spool, e.getMessage());
            }
            spool = null;
        }
    }

    /** Runs {@code work} on a worker thread with the socket paused; continues on the event loop. */
    private <T> void blocking(Callable<T> work, Consumer<T> then) {
        busy = true;
        flush();
        output.reading(false);
        server.vertx().executeBlocking(work, false).onComplete(ar -> {
            busy = false;
            if (closed) {
                deleteSpool(); // the client went away while we worked: nothing was promised
                return;
            }
            output.reading(true);
            if (ar.failed()) {
                LOG.errorf(ar.cause(), "session %s: local error", context.sessionId());
                server.metrics().rejected("local-error");
                resetTransaction();
                reply("451 4.3.0 Local error, try again later");
            } else {
                then.accept(ar.result());
            }
            process();
        });
    }

    private void armTimer(Duration timeout) {
        if (timer >= 0) {
            server.vertx().cancelTimer(timer);
        }
        timer = server.vertx().setTimer(timeout.toMillis(), t -> {
            timer = -1;
            if (closed) {
                return;
            }
            server.metrics().rejected("timeout");
            reply("421 4.4.2 " + hostname + " Timeout, closing connection");
            close();
        });
    }

    private void reply(String line) {
        output.reply(line);
    }

    private void reply(Verdict verdict, String code, String enhanced, String text) {
        reply((verdict.code() != null ? verdict.code() : code) + " " + (verdict.enhancedCode() != null ? verdict.enhancedCode() : enhanced)
                + " " + (verdict.text() != null ? verdict.text() : text));
    }

    private void flush() {
        output.flush();
    }

    private void close() {
        output.close();
        closed = true;
    }

    private void closed() {
        closed = true;
        output.closed();
        if (timer >= 0) {
            server.vertx().cancelTimer(timer);
        }
        if (sessionTimer >= 0) {
            server.vertx().cancelTimer(sessionTimer);
        }
        if (!busy) {
            deleteSpool();
        }
        server.sessionEnded(this, context.remoteAddress());
    }
}
