package org.mailkeep.policy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sliding-window event counts per key, in memory and bounded: at most {@code limit} timestamps per key and
 * {@link #MAX_KEYS} keys (the least recently used key is forgotten first), so a flood of distinct clients cannot
 * grow it without bound. Thread-safe.
 */
final class RateCounter {

    static final int MAX_KEYS = 10_000;

    private final int limit;
    private final long windowMillis;
    private final Map<String, Deque<Long>> events = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > MAX_KEYS;
        }
    };

    RateCounter(int limit, long windowMillis) {
        this.limit = limit;
        this.windowMillis = windowMillis;
    }

    /** Events of {@code key} within the window ending at {@code now}. */
    synchronized int count(String key, long now) {
        Deque<Long> times = events.get(key);
        if (times == null) {
            return 0;
        }
        while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
            times.pollFirst();
        }
        return times.size();
    }

    /** Records an event and answers whether it is within the limit (the event is not recorded when it is not). */
    synchronized boolean tryAcquire(String key, long now) {
        if (count(key, now) >= limit) {
            return false;
        }
        record(key, now);
        return true;
    }

    synchronized void record(String key, long now) {
        Deque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        times.addLast(now);
        while (times.size() > limit) {
            times.pollFirst();
        }
    }

    /** When the oldest event in the window ends, i.e. when the next event will be allowed again. */
    synchronized long nextAllowed(String key, long now) {
        Deque<Long> times = events.get(key);
        return times == null || times.isEmpty() ? now : times.peekFirst() + windowMillis;
    }

    synchronized void clear(String key) {
        events.remove(key);
    }
}
