package org.mailkeep.mtasts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** An MTA-STS policy (RFC 8461 §3.2) and the MX matching of §4.1. Parsing only: no I/O. */
public record MtaStsPolicy(String id, Mode mode, List<String> mx, long maxAgeSeconds) {

    public enum Mode { ENFORCE, TESTING, NONE }

    /** RFC 8461 §3.2: max_age up to 31557600 seconds. */
    static final long MAX_AGE_LIMIT = 31_557_600L;

    /** Parses a policy body; throws IllegalArgumentException naming what is wrong. */
    public static MtaStsPolicy parse(String id, String body) {
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String rawLine : body.split("\r?\n")) {
            String line = rawLine.strip();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("policy line without a key: " + line);
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> version = value;
                case "mode" -> mode = switch (value) {
                    case "enforce" -> Mode.ENFORCE;
                    case "testing" -> Mode.TESTING;
                    case "none" -> Mode.NONE;
                    default -> throw new IllegalArgumentException("unknown mode " + value);
                };
                case "max_age" -> {
                    if (!value.matches("\\d{1,10}")) {
                        throw new IllegalArgumentException("max_age is not a number: " + value);
                    }
                    maxAge = Math.min(Long.parseLong(value), MAX_AGE_LIMIT);
                }
                case "mx" -> mx.add(value.toLowerCase(Locale.ROOT));
                default -> {
                    // §3.2: unknown keys are ignored (extensions)
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new IllegalArgumentException("version is not STSv1");
        }
        if (mode == null || maxAge == null) {
            throw new IllegalArgumentException("policy lacks " + (mode == null ? "mode" : "max_age"));
        }
        if (mode != Mode.NONE && mx.isEmpty()) {
            throw new IllegalArgumentException("policy in mode " + mode.name().toLowerCase(Locale.ROOT) + " lists no mx");
        }
        return new MtaStsPolicy(id, mode, List.copyOf(mx), maxAge);
    }

    /** §4.1: an MX host matches an mx pattern exactly, or a "*." pattern by replacing exactly its leftmost label. */
    public boolean matches(String mxHost) {
        String host = mxHost.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        for (String pattern : mx) {
            if (pattern.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(pattern.substring(2))) {
                    return true;
                }
            } else if (pattern.equals(host)) {
                return true;
            }
        }
        return false;
    }

    /** Serialised for the cache (the body form it was parsed from). */
    public String body() {
        StringBuilder sb = new StringBuilder("version: STSv1\nmode: " + mode.name().toLowerCase(Locale.ROOT) + "\n");
        mx.forEach(m -> sb.append("mx: ").append(m).append('\n'));
        return sb.append("max_age: ").append(maxAgeSeconds).append('\n').toString();
    }
}
