package org.mailkeep.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The server side of one SASL exchange with the two password mechanisms that SMTP submission and IMAP offer
 * (after TLS only): PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login-00, which Outlook and many phones
 * still use). It decodes the client's base64 responses and says what comes next; the protocol wraps the
 * challenges ({@code 334} in SMTP, {@code +} in IMAP) and checks the credentials. Written by hand: the JDK's
 * {@code javax.security.sasl} has no server for either mechanism, and both are a few lines.
 */
public final class SaslExchange {

    /** What the protocol does next. */
    public sealed interface Step permits Challenge, Credentials, Failure {
    }

    /** Send this challenge (already base64) and pass the client's next line to {@link #respond}. */
    public record Challenge(String base64) implements Step {
    }

    /** The exchange is complete: check these. */
    public record Credentials(String user, String password) implements Step {
    }

    /** The exchange ended without credentials. */
    public record Failure(Reason reason) implements Step {
    }

    public enum Reason {
        /** The client sent "*" (RFC 4954 §4, RFC 3501 §6.2.2). */
        CANCELLED,
        /** Not base64. */
        NOT_BASE64,
        /** PLAIN without exactly three fields. */
        MALFORMED,
        /** PLAIN with an authorization identity other than the authentication identity: no acting as another user. */
        AUTHORIZATION_DENIED
    }

    private enum Expecting { PLAIN, LOGIN_USER, LOGIN_PASSWORD, DONE }

    private Expecting expecting;
    private String loginUser;

    private SaslExchange(Expecting expecting) {
        this.expecting = expecting;
    }

    /** An exchange for {@code mechanism} (case-insensitive), or empty when it is not one we offer. */
    public static Optional<SaslExchange> start(String mechanism) {
        return switch (mechanism.toUpperCase(Locale.ROOT)) {
            case "PLAIN" -> Optional.of(new SaslExchange(Expecting.PLAIN));
            case "LOGIN" -> Optional.of(new SaslExchange(Expecting.LOGIN_USER));
            default -> Optional.empty();
        };
    }

    /**
     * The first step: with an initial response (RFC 4954 §4, RFC 4959; "=" is an empty one) it is processed at
     * once, without one the first challenge is returned (PLAIN's is empty, LOGIN asks for the user name).
     */
    public Step begin(String initialResponse) {
        if (initialResponse != null) {
            return respond(initialResponse);
        }
        return new Challenge(expecting == Expecting.PLAIN ? "" : base64("Username:"));
    }

    /** The client's answer to the last challenge: one line of base64, "=" for empty, or "*" to cancel. */
    public Step respond(String line) {
        if (expecting == Expecting.DONE) {
            throw new IllegalStateException("the SASL exchange is over");
        }
        if (line.equals("*")) {
            return end(Reason.CANCELLED);
        }
        String text;
        try {
            text = new String(line.equals("=") ? new byte[0] : Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return end(Reason.NOT_BASE64);
        }
        switch (expecting) {
            case PLAIN -> {
                String[] fields = text.split("\0", -1); // RFC 4616 §2: [authzid] NUL authcid NUL passwd
                if (fields.length != 3) {
                    return end(Reason.MALFORMED);
                }
                if (!fields[0].isEmpty() && !fields[0].equalsIgnoreCase(fields[1])) {
                    return end(Reason.AUTHORIZATION_DENIED);
                }
                expecting = Expecting.DONE;
                return new Credentials(fields[1], fields[2]);
            }
            case LOGIN_USER -> {
                loginUser = text;
                expecting = Expecting.LOGIN_PASSWORD;
                return new Challenge(base64("Password:"));
            }
            default -> {
                expecting = Expecting.DONE;
                return new Credentials(loginUser, text);
            }
        }
    }

    private Failure end(Reason reason) {
        expecting = Expecting.DONE;
        return new Failure(reason);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
