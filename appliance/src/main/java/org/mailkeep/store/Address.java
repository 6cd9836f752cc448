package org.mailkeep.store;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A mailbox address {@code local@domain}, normalised: the domain in lower-case A-labels (IDNA, RFC 5891),
 * the local part as given (RFC 5321 §2.4: local parts are case-sensitive on the wire; our own lookups are
 * case-insensitive, as every mainstream server's are).
 */
public record Address(String localPart, String domain) {

    // RFC 5321 §4.1.2 Dot-string atoms, plus UTF-8 for SMTPUTF8 (RFC 6531 §3.3); quoted local parts are not accepted for local accounts.
    private static final Pattern LOCAL = Pattern.compile("[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** Parses {@code text}; empty when it is not a valid address. */
    public static Optional<Address> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int at = text.lastIndexOf('@');
        if (at <= 0 || at == text.length() - 1 || text.length() > 254) {
            return Optional.empty();
        }
        String local = text.substring(0, at);
        if (local.length() > 64 || !LOCAL.matcher(local).matches()) {
            return Optional.empty();
        }
        return normalizeDomain(text.substring(at + 1)).map(d -> new Address(local, d));
    }

    /**
     * The domain of a mailbox as it travelled (an envelope path, a header address, a DKIM i= identity): what follows
     * the last '@', lower-cased since domains compare case-insensitively (RFC 5321 §2.4). The one place this is cut;
     * unlike {@link #parse} it does not validate.
     */
    public static String domainOf(String mailbox) {
        return mailbox.substring(mailbox.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }

    /** A domain name in lower-case A-label form, or empty when it is not a valid host name (RFC 1123 §2.1, RFC 5890). */
    public static Optional<String> normalizeDomain(String domain) {
        if (domain == null || domain.isEmpty()) {
            return Optional.empty();
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain,
                    IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (ascii.length() > 253 || !ascii.contains(".")) {
            return Optional.empty();
        }
        for (String label : ascii.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.empty();
            }
        }
        return Optional.of(ascii);
    }

    /** The address without a {@code +tag} sub-address (the delimiter Postfix and Dovecot use by default). */
    public Address withoutTag() {
        int plus = localPart.indexOf('+');
        return plus > 0 ? new Address(localPart.substring(0, plus), domain) : this;
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
