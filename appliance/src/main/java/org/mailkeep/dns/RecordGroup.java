package org.mailkeep.dns;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Why a record is published, in the order the owner should publish them: without the {@link #RECEIVE} records no mail
 * arrives; without the {@link #SEND} records mail leaves but is refused or filed as spam by the big providers; the
 * {@link #RECOMMENDED} ones protect the connection and help mail apps find their settings.
 */
public enum RecordGroup {
    /** MX and the host's address records (RFC 5321 §5.1). */
    RECEIVE,
    /** SPF, DKIM, DMARC and the reverse DNS the ISP sets (what Gmail and Microsoft ask of senders). */
    SEND,
    /** MTA-STS, TLS-RPT, CAA and the mail-client discovery records (autoconfig, SRV). */
    RECOMMENDED;

    /** The name in the API ({@code receive}, {@code send}, {@code recommended}). */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The group named {@code id}, or empty for an unknown name. */
    public static java.util.Optional<RecordGroup> byId(String id) {
        for (RecordGroup g : values()) {
            if (g.id().equals(id)) {
                return java.util.Optional.of(g);
            }
        }
        return java.util.Optional.empty();
    }
}
