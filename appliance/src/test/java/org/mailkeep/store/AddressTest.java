package org.mailkeep.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AddressTest {

    @Test
    void parsesAndNormalisesDomains() {
        assertThat(Address.parse("Alice@Example.TEST")).map(Address::toString).hasValue("Alice@example.test");
        assertThat(Address.parse("josé@bücher.example")).map(Address::domain).hasValue("xn--bcher-kva.example");
        assertThat(Address.parse("a.b+tag@example.test").orElseThrow().withoutTag().toString()).isEqualTo("a.b@example.test");
    }

    @Test
    void refusesInvalidAddresses() {
        assertThat(Address.parse("no-at-sign")).isEmpty();
        assertThat(Address.parse("@example.test")).isEmpty();
        assertThat(Address.parse("a@")).isEmpty();
        assertThat(Address.parse("a..b@example.test")).isEmpty();
        assertThat(Address.parse("a b@example.test")).isEmpty();
        assertThat(Address.parse("a@localhost")).isEmpty();
        assertThat(Address.parse("a@-bad-.example")).isEmpty();
        assertThat(Address.parse("x".repeat(65) + "@example.test")).isEmpty();
    }
}
