package org.mailkeep.store;

/** The request would create something that exists already (HTTP 409). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
