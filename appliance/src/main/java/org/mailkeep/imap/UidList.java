package org.mailkeep.imap;

import java.util.Arrays;

/** A growable array of 32-bit UIDs. */
final class UidList {
    private int[] items = new int[64];
    private int size;

    void add(long uid) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = (int) uid;
    }

    int[] toArray() {
        return Arrays.copyOf(items, size);
    }
}
