package org.mailkeep.box;

/** A field the user got wrong, missing or malformed: the API answers 400 with the field's name so the UI shows the message next to it. */
public class InvalidInput extends RuntimeException {
    public final String field;

    public InvalidInput(String field, String message) {
        super(message);
        this.field = field;
    }

    /** Returns {@code value} when it is present and not blank. */
    public static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInput(field, field + " is required");
        }
        return value;
    }
}
