package org.mailkeep.store;

/** A failure of the database or the message files; callers turn it into a temporary error (4xx / 503). */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
