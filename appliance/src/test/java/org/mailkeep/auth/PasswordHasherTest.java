package org.mailkeep.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {

    @Test
    void hashesRecordTheirParametersAndVerify() {
        PasswordHasher weak = new PasswordHasher(1024, 1, 1);
        String hash = weak.hash("yesterday-my-dog-jack-played-with-frisbee");
        assertThat(hash).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        assertThat(PasswordHasher.verify("yesterday-my-dog-jack-played-with-frisbee", hash)).isTrue();
        assertThat(PasswordHasher.verify("yesterday-my-dog-jack-played-with-frisbeE", hash)).isFalse();
        assertThat(weak.needsRehash(hash)).isFalse();
        assertThat(new PasswordHasher(2048, 2, 1).needsRehash(hash)).isTrue();
    }

    @Test
    void malformedHashesNeverVerify() {
        assertThat(PasswordHasher.verify("x", null)).isFalse();
        assertThat(PasswordHasher.verify("x", "plain")).isFalse();
        assertThat(PasswordHasher.verify("x", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA")).isFalse();
        assertThat(PasswordHasher.verify("x", "$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA")).isFalse();
    }

    @Test
    void concurrentHashesStayWithinAQuarterOfTheHeap() throws Exception {
        // the image runs with -Xmx256m: one 64 MiB derivation at a time, a second one waits
        int budget = PasswordHasher.budgetKib(256L * 1024 * 1024);
        assertThat(budget).isEqualTo(65536);
        assertThat(PasswordHasher.permits(PasswordHasher.DEFAULT_MEMORY_KIB, budget)).isEqualTo(budget);
        assertThat(PasswordHasher.permits(1024, budget)).isEqualTo(1024); // small test hashes still run side by side
        assertThat(PasswordHasher.permits(PasswordHasher.DEFAULT_MEMORY_KIB, PasswordHasher.budgetKib(128L * 1024 * 1024)))
                .isEqualTo(32768); // a heap too small for the budget still lets one derivation through at a time
        PasswordHasher weak = new PasswordHasher(1024, 1, 1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<String>> hashes = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String password = "correct-horse-" + i;
                hashes.add(pool.submit(() -> weak.hash(password)));
            }
            for (int i = 0; i < 8; i++) {
                assertThat(PasswordHasher.verify("correct-horse-" + i, hashes.get(i).get())).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
