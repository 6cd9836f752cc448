package org.mailkeep.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * A sequence set (RFC 3501 §9 {@code sequence-set}): ranges whose ends may be "*" ({@link #STAR}). It is
 * never expanded into numbers: a huge set like {@code 1:4294967295} costs two longs, and membership is
 * tested against the messages that exist.
 */
public record SequenceSet(long[] lows, long[] highs) {

    /** "*": the largest number in use. */
    public static final long STAR = -1;
    /** Largest nz-number (RFC 3501 §9: 32 bits). */
    static final long MAX = 0xFFFFFFFFL;

    /** Parses "1,3:5,7:*". Throws IllegalArgumentException when malformed. */
    public static SequenceSet parse(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty sequence set");
        }
        String[] items = text.split(",", -1);
        long[] lows = new long[items.length];
        long[] highs = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            int colon = item.indexOf(':');
            if (colon < 0) {
                lows[i] = highs[i] = number(item);
            } else {
                lows[i] = number(item.substring(0, colon));
                highs[i] = number(item.substring(colon + 1));
            }
        }
        return new SequenceSet(lows, highs);
    }

    private static long number(String s) {
        if (s.equals("*")) {
            return STAR;
        }
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(c -> c >= '0' && c <= '9') || s.charAt(0) == '0') {
            throw new IllegalArgumentException("invalid number in sequence set: " + s);
        }
        long n = Long.parseLong(s);
        if (n > MAX) {
            throw new IllegalArgumentException("number out of range in sequence set: " + s);
        }
        return n;
    }

    /** Whether {@code n} is in the set, "*" standing for {@code largest} (RFC 3501 §9: "3:*" and "*:3" are the same). */
    public boolean contains(long n, long largest) {
        for (int i = 0; i < lows.length; i++) {
            long a = lows[i] == STAR ? largest : lows[i];
            long b = highs[i] == STAR ? largest : highs[i];
            if (n >= Math.min(a, b) && n <= Math.max(a, b)) {
                return true;
            }
        }
        return false;
    }

    /** Builds the compact form "1:3,5" of ascending numbers (for UIDPLUS and ESEARCH answers). */
    public static String format(long[] sorted, int count) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < count) {
            int j = i;
            while (j + 1 < count && sorted[j + 1] == sorted[j] + 1) {
                j++;
            }
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(sorted[i]);
            if (j > i) {
                out.append(':').append(sorted[j]);
            }
            i = j + 1;
        }
        return out.toString();
    }

    public static String format(List<Long> sorted) {
        long[] a = new long[sorted.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = sorted.get(i);
        }
        return format(a, a.length);
    }

    /** The ranges as {low, high} pairs with "*" resolved, ascending by low end. */
    public List<long[]> ranges(long largest) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < lows.length; i++) {
            long a = lows[i] == STAR ? largest : lows[i];
            long b = highs[i] == STAR ? largest : highs[i];
            out.add(new long[] {Math.min(a, b), Math.max(a, b)});
        }
        out.sort((x, y) -> Long.compare(x[0], y[0]));
        return out;
    }
}
