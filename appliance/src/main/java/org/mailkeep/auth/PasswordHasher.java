package org.mailkeep.auth;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Argon2id password hashes (RFC 9106) in the PHC string format
 * {@code $argon2id$v=19$m=MEMORY_KIB,t=ITERATIONS,p=LANES$SALT$HASH}, so every hash records its own
 * parameters and the defaults can be raised later without invalidating stored passwords.
 * Defaults follow RFC 9106 §4's second recommended option scaled for a Raspberry Pi (64 MiB, 3 passes).
 */
public final class PasswordHasher {

    public static final int DEFAULT_MEMORY_KIB = 65536;
    public static final int DEFAULT_ITERATIONS = 3;
    public static final int DEFAULT_LANES = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final int memoryKib;
    private final int iterations;
    private final int lanes;

    public PasswordHasher() {
        this(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_LANES);
    }

    public PasswordHasher(int memoryKib, int iterations, int lanes) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.lanes = lanes;
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = derive(password, salt, memoryKib, iterations, lanes, HASH_BYTES);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + lanes + "$" + B64.encodeToString(salt) + "$"
                + B64.encodeToString(hash);
    }

    /** Checks {@code password} against a stored PHC string; false for any malformed hash. Constant-time comparison. */
    public static boolean verify(String password, String phc) {
        if (phc == null) {
            return false;
        }
        String[] parts = phc.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        int m = 0, t = 0, p = 0;
        for (String kv : parts[3].split(",")) {
            String[] pair = kv.split("=", 2);
            if (pair.length != 2) {
                return false;
            }
            try {
                int value = Integer.parseInt(pair[1]);
                switch (pair[0]) {
                    case "m" -> m = value;
                    case "t" -> t = value;
                    case "p" -> p = value;
                    default -> {
                        return false;
                    }
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (m < 8 || t < 1 || p < 1) {
            return false;
        }
        byte[] salt;
        byte[] expected;
        try {
            salt = B64D.decode(parts[4]);
            expected = B64D.decode(parts[5]);
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] actual = derive(password, salt, m, t, p, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** True when {@code phc} was made with weaker parameters than this hasher's, so it should be re-hashed at next login. */
    public boolean needsRehash(String phc) {
        return phc == null || !phc.startsWith("$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + lanes + "$");
    }

    /**
     * Heap that Argon2 may use at once: a quarter of the maximum heap. Each derivation allocates its whole memory
     * cost (64 MiB by default) on the heap, so with the image's -Xmx256m four clients logging in together (Thunderbird
     * opens several connections at start) ran the appliance out of memory; derivations beyond the budget now wait.
     */
    private static final int BUDGET_KIB = budgetKib(Runtime.getRuntime().maxMemory());
    private static final Semaphore BUDGET = new Semaphore(BUDGET_KIB, true);

    /**
     * Each derivation leaves its memory cost (65,536 blocks of 1 KiB by default) as garbage that mostly reached the old
     * generation; the image's serial collector frees and shrinks the old generation only in a full collection, which an
     * idle box may not need for hours, so the heap (and the resident memory) stayed at the high-water mark of the last
     * login burst: 230 of 256 MiB committed after ten logins, 15 MiB of it live. {@link #HEAP_RETURN_DELAY_MILLIS} after the
     * last derivation of a burst, {@link #FULL_COLLECTIONS} full collections give that memory back: HotSpot damps the
     * shrinking of the old generation after an explicit collection (0 %, 10 %, 40 %, then 100 % of the excess on
     * consecutive ones, CardGeneration::compute_new_size), so one alone returned 14 MiB (docs/memory.md).
     */
    static final long HEAP_RETURN_DELAY_MILLIS = 10_000;
    private static final int FULL_COLLECTIONS = 4;
    private static final AtomicLong DERIVATIONS = new AtomicLong();

    /** The Argon2 memory budget for a heap of {@code maxHeapBytes}: a quarter of it, in KiB. */
    static int budgetKib(long maxHeapBytes) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxHeapBytes / 4 / 1024));
    }

    /** KiB a derivation of {@code memoryKib} takes from a budget of {@code budgetKib}: one alone may use more than it. */
    static int permits(int memoryKib, int budgetKib) {
        return Math.max(1, Math.min(memoryKib, budgetKib));
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int lanes, int length) {
        int permits = permits(memoryKib, BUDGET_KIB);
        BUDGET.acquireUninterruptibly(permits);
        try {
            return argon2(password, salt, memoryKib, iterations, lanes, length);
        } finally {
            BUDGET.release(permits);
            long derivation = DERIVATIONS.incrementAndGet();
            CompletableFuture.delayedExecutor(HEAP_RETURN_DELAY_MILLIS, TimeUnit.MILLISECONDS).execute(() -> returnHeap(derivation));
        }
    }

    /** Full collections once derivation {@code last} was the last one and none runs now. */
    private static void returnHeap(long last) {
        for (int i = 0; i < FULL_COLLECTIONS && DERIVATIONS.get() == last && BUDGET.availablePermits() == BUDGET_KIB; i++) {
            System.gc(); // the point is the full collection: see HEAP_RETURN_DELAY_MILLIS
        }
    }

    private static byte[] argon2(String password, byte[] salt, int memoryKib, int iterations, int lanes, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(lanes)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
