package org.mailkeep.box;

/** The request would create something that exists already (HTTP 409). */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
