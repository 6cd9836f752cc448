package org.mailkeep.policy;

import org.mailkeep.dmarc.DkimResult;
import org.mailkeep.dmarc.DmarcOutcome;
import org.mailkeep.spf.SpfOutcome;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an inbound check may know about the SMTP transaction so far. The SMTP session fills the envelope; the
 * checks leave their results here, typed, for the checks after them and for the Authentication-Results header the
 * chain writes: {@link #spf()}, {@link #dkim()}, {@link #dmarc()}, the trust marks ({@link Trust}) and the spam
 * ledger ({@link SpamSignals}). Connection facts survive {@link #resetTransaction()}; transaction results do not.
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
    private SpfOutcome spf;
    private List<DkimResult> dkim = List.of();
    private DmarcOutcome dmarc;
    private HeaderBlock headers;
    // Trust marks and the spam ledger, kept by Trust and SpamSignals: the connection's survive RSET.
    String trustedConnection;
    String trustedTransaction;
    final List<SpamSignals.Signal> connectionSignals = new ArrayList<>();
    final List<SpamSignals.Signal> transactionSignals = new ArrayList<>();

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
    /** The SPF outcome of this transaction, or null when SPF was not checked (submission, or before MAIL FROM). */
    public SpfOutcome spf() { return spf; }
    public void spf(SpfOutcome spf) { this.spf = spf; }
    /** One result per DKIM signature of this message; empty when it had none or DKIM was not checked. */
    public List<DkimResult> dkim() { return dkim; }
    public void dkim(List<DkimResult> dkim) { this.dkim = List.copyOf(dkim); }
    /** The DMARC outcome of this message, or null when DMARC was not evaluated. */
    public DmarcOutcome dmarc() { return dmarc; }
    public void dmarc(DmarcOutcome dmarc) { this.dmarc = dmarc; }

    /** The top-level header fields of the spooled {@code message}, parsed on first use in this transaction. */
    public HeaderBlock headers(Path message) {
        if (headers == null) {
            headers = HeaderBlock.read(message);
        }
        return headers;
    }

    /** The spooled message's header was rewritten (by the chain): the next {@link #headers(Path)} parses it again. */
    public void headerRewritten() {
        headers = null;
    }

    /** Forgets the transaction (RSET, or after a message): keeps connection facts and authentication. */
    public void resetTransaction() {
        envelopeFrom = null;
        recipients.clear();
        spf = null;
        dkim = List.of();
        dmarc = null;
        headers = null;
        trustedTransaction = null;
        transactionSignals.clear();
    }
}
