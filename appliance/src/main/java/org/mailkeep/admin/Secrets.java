package org.mailkeep.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Random secrets people type (recovery codes, app passwords) and the hash they are stored under. */
final class Secrets {

    /** No 0/o, 1/l/i: read off a screen and typed on a phone. 31 letters give about 4.95 bits each. */
    private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** {@code groups} groups of {@code size} characters joined by '-'. */
    static String random(int groups, int size) {
        StringBuilder sb = new StringBuilder();
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                sb.append('-');
            }
            for (int i = 0; i < size; i++) {
                sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
        }
        return sb.toString();
    }

    /** SHA-256 hex of the secret as typed, with spaces, dashes and case ignored. */
    static String hash(String secret) {
        String normalized = secret.replaceAll("[\\s-]", "").toLowerCase(java.util.Locale.ROOT);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(normalized.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
