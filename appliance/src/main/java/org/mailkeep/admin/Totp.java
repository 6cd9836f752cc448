package org.mailkeep.admin;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Time-based one-time passwords as authenticator apps compute them: RFC 6238 (TOTP) over RFC 4226 (HOTP)
 * with HMAC-SHA1, 30-second steps and 6 digits, the parameters every app supports. Pure: the caller gives
 * the time. The JDK has HMAC but no Base32, and the codec needed is a dozen lines, so it is written here.
 */
public final class Totp {

    public static final long STEP_SECONDS = 30;
    /** Steps accepted either side of now, for clock drift (RFC 6238 §5.2 recommends at most one). */
    static final int WINDOW = 1;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Totp() {
    }

    /** A new shared secret of 160 bits, the HMAC-SHA1 output size that RFC 4226 §4 R6 recommends. */
    public static byte[] newSecret() {
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        return secret;
    }

    /** HOTP value for {@code counter} (RFC 4226 §5.3: dynamic truncation, then modulo 10^digits). */
    static int hotp(byte[] secret, long counter) {
        byte[] message = new byte[8];
        for (int i = 7; i >= 0; i--) {
            message[i] = (byte) counter;
            counter >>>= 8;
        }
        byte[] hash;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            hash = mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
        return binary % 1_000_000;
    }

    /** The time step of {@code epochSeconds} (RFC 6238 §4.2: T = (now - T0) / X with T0 = 0). */
    public static long step(long epochSeconds) {
        return Math.floorDiv(epochSeconds, STEP_SECONDS);
    }

    /** The 6-digit code for a time, zero-padded. */
    public static String code(byte[] secret, long epochSeconds) {
        return String.format("%06d", hotp(secret, step(epochSeconds)));
    }

    /**
     * The step whose code matches {@code code} within the drift window, or -1. The caller refuses a step at or
     * before the last one accepted, so a code is good once (RFC 6238 §5.2).
     */
    public static long matchingStep(byte[] secret, String code, long epochSeconds) {
        if (code == null) {
            return -1;
        }
        String digits = code.replaceAll("\\s", "");
        if (!digits.matches("[0-9]{6}")) {
            return -1;
        }
        long now = step(epochSeconds);
        long found = -1;
        for (long s = now - WINDOW; s <= now + WINDOW; s++) {
            // every candidate is compared, in constant time, so timing does not tell which step matched
            if (MessageDigest.isEqual(String.format("%06d", hotp(secret, s)).getBytes(StandardCharsets.US_ASCII),
                    digits.getBytes(StandardCharsets.US_ASCII))) {
                found = s;
            }
        }
        return found;
    }

    /** RFC 4648 §6 Base32 without padding, as authenticator apps read secrets. */
    public static String base32(byte[] data) {
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(BASE32.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    /** Decodes {@link #base32}; spaces and case are ignored. */
    public static byte[] fromBase32(String text) {
        String clean = text.replaceAll("[\\s=]", "").toUpperCase(java.util.Locale.ROOT);
        byte[] out = new byte[clean.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (char c : clean.toCharArray()) {
            int v = BASE32.indexOf(c);
            if (v < 0) {
                throw new IllegalArgumentException("not Base32: " + c);
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return out;
    }

    /** The otpauth URI authenticator apps scan (Google Authenticator's Key Uri Format). */
    public static String uri(String issuer, String account, byte[] secret) {
        String label = URLEncoder.encode(issuer + ":" + account, StandardCharsets.UTF_8).replace("+", "%20");
        return "otpauth://totp/" + label + "?secret=" + base32(secret) + "&issuer="
                + URLEncoder.encode(issuer, StandardCharsets.UTF_8).replace("+", "%20") + "&algorithm=SHA1&digits=6&period=30";
    }
}
