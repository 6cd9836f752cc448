package org.mailkeep.spf;

import java.util.Locale;

/** The results of check_host() (RFC 7208 §2.6), as written in Authentication-Results (RFC 8601 §2.7.2). */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
