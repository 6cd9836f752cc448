package org.mailkeep.store;

/**
 * A further secret an account may log in with besides its password (app passwords, so that an admin's
 * 2FA never breaks IMAP/SMTP clients). Contributed as a CDI bean; {@link Directory#authenticate} asks each.
 */
public interface AccountCredentials {

    /** True when {@code secret} is a live credential of account {@code accountId}. */
    boolean matches(long accountId, String secret);
}
