package org.mailkeep.setup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CommonPasswordsTest {

    @Test
    void refusesListedPasswordsAndTheirDecoratedForms() {
        assertThat(CommonPasswords.isCommon("password")).isTrue();
        assertThat(CommonPasswords.isCommon("Password123456")).as("digits around a listed word").isTrue();
        assertThat(CommonPasswords.isCommon("!!qwerty2024!!")).isTrue();
        assertThat(CommonPasswords.isCommon("monkeymonkeymonkey")).as("a listed word repeated").isTrue();
        assertThat(CommonPasswords.isCommon("aaaaaaaaaaaaaa")).isTrue();
        assertThat(CommonPasswords.isCommon("12345678901234")).as("only digits").isTrue();
    }

    @Test
    void acceptsPassphrasesOfUnrelatedWords() {
        assertThat(CommonPasswords.isCommon("yesterday-my-dog-jack-played-with-frisbee")).isFalse();
        assertThat(CommonPasswords.isCommon("otter-lantern-brave-quilt")).isFalse();
    }
}
