package org.mailkeep.imap;

import org.mailkeep.auth.SaslExchange;
import org.mailkeep.net.Cidr;
import org.mailkeep.policy.AuthGuard;
import org.mailkeep.store.Directory;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The not-authenticated state (RFC 3501 §6.2): STARTTLS, LOGIN and AUTHENTICATE (with SASL-IR, RFC 4959). */
final class Authentication extends SessionPart {

    private SaslExchange sasl; // an AUTHENTICATE exchange in progress, and its tag
    private String saslTag;

    Authentication(ImapSession session) {
        super(session);
    }

    // ---- TLS and authentication ----

    void startTls(String tag) {
        if (session.tls) {
            sendTagged(tag, "BAD", "TLS is already active");
            return;
        }
        if (session.state != ImapSession.State.NOT_AUTHENTICATED) {
            sendTagged(tag, "BAD", "STARTTLS is only allowed before login");
            return;
        }
        flush();
        // RFC 3501 §6.2.1 / RFC 2595 §3.1: anything pipelined after STARTTLS in cleartext is discarded
        session.framer.discard();
        session.suspended = true;
        session.transport.startTls((tag + " OK Begin TLS negotiation now\r\n").getBytes(StandardCharsets.US_ASCII), () -> {
            // again at the end of the handshake: cleartext that arrived while it was being set up was queued behind the
            // first discard (RFC 2595 §3.1, RFC 3207 §4.2; the SMTP side does the same)
            session.framer.discard();
            session.tls = true;
            session.suspended = false;
            session.process();
        });
    }

    void login(String tag, String user, String password) {
        if (session.state != ImapSession.State.NOT_AUTHENTICATED) {
            sendTagged(tag, "BAD", "already logged in");
            return;
        }
        if (!session.tls) {
            sendTagged(tag, "NO", "[PRIVACYREQUIRED] LOGIN is disabled before STARTTLS");
            return;
        }
        checkPassword(tag, user, password);
    }

    void authenticate(Command.Authenticate auth) {
        if (session.state != ImapSession.State.NOT_AUTHENTICATED) {
            sendTagged(auth.tag(), "BAD", "already logged in");
            return;
        }
        if (!session.tls) {
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

    /** Whether an AUTHENTICATE exchange waits for the client's next response line. */
    boolean exchanging() {
        return sasl != null;
    }

    /** The client's response line in an AUTHENTICATE exchange. */
    void respond(String line) {
        authenticationStep(sasl.respond(line));
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
        InetAddress ip = Cidr.literal(session.transport.remoteIp()).orElseThrow();
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
            session.account = found.get();
            session.state = ImapSession.State.AUTHENTICATED;
            sendTagged(tag, "OK", "[CAPABILITY " + session.capabilities() + "] logged in");
            return;
        }
        services.credentials().forget(user);
        services.authGuard().failure(ip, user);
        session.suspended = true; // the answer (and anything pipelined after it) waits: guessing gets slow; AuthGuard locks out
        session.transport.submit(ImapSession.FAILED_LOGIN_DELAY_MILLIS, () -> {
            sendTagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid credentials");
            session.suspended = false;
            session.process();
        });
    }
}
