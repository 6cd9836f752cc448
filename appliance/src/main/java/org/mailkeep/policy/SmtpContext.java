package org.mailkeep.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What an inbound check may know about the SMTP transaction so far. The SMTP session fills it; checks
 * read it and may leave results for later checks in {@link #attributes()} (e.g. the SPF result that DMARC
 * needs), keyed by their package name.
 */
public final class SmtpContext {

    /** Which listener the client came in on. */
    public enum Listener { MX, SUBMISSION }

    private final String sessionId;
    private final Listener listener;
    private final InetAddress remoteAddress;
    private String heloName;
    private boolean tls;
    private String authenticatedUser;
    private String envelopeFrom;
    private final List<String> recipients = new ArrayList<>();
    private final Map<String, Object> attributes = new HashMap<>();

    public SmtpContext(String sessionId, Listener listener, InetAddress remoteAddress) {
        this.sessionId = sessionId;
        this.listener = listener;
        this.remoteAddress = remoteAddress;
    }

    public String sessionId() { return sessionId; }
    public Listener listener() { return listener; }
    public InetAddress remoteAddress() { return remoteAddress; }
    public String heloName() { return heloName; }
    public void heloName(String heloName) { this.heloName = heloName; }
    public boolean tls() { return tls; }
    public void tls(boolean tls) { this.tls = tls; }
    /** The SASL user of an authenticated submission session, or null. */
    public String authenticatedUser() { return authenticatedUser; }
    public void authenticatedUser(String user) { this.authenticatedUser = user; }
    /** The MAIL FROM reverse-path without brackets; "" for the null sender. */
    public String envelopeFrom() { return envelopeFrom; }
    public void envelopeFrom(String from) { this.envelopeFrom = from; }
    /** Accepted RCPT TO forward-paths so far. */
    public List<String> recipients() { return recipients; }
    public Map<String, Object> attributes() { return attributes; }

    /** Forgets the transaction (RSET, or after a message): keeps connection facts and authentication. */
    public void resetTransaction() {
        envelopeFrom = null;
        recipients.clear();
        attributes.keySet().removeIf(k -> !k.startsWith("connection."));
    }
}
