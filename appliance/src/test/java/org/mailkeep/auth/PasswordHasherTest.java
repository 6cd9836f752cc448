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
}
