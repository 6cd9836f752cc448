package org.mailkeep.feature;

import org.junit.jupiter.api.Test;
import org.mailkeep.box.Feature;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 15: two enabled listeners on one address and port must stop the start-up, naming both. */
class SharedPortTest {

    @Test
    void listenersOnTheSamePortAndOverlappingAddressesClash() {
        List<Feature.Port> ports = List.of(new Feature.Port("smtp-mx", 2525, "tcp"), new Feature.Port("imaps", 2525, "tcp"),
                new Feature.Port("smtp-submission", 0, "tcp"), new Feature.Port("imap", 0, "tcp"),
                new Feature.Port("http", 8080, "tcp", "0.0.0.0"), new Feature.Port("https", 8443, "tcp", "0.0.0.0"));
        assertThat(Features.clashes(ports, "127.0.0.1"))
                .containsExactly("smtp-mx (127.0.0.1:2525) and imaps (127.0.0.1:2525)");
    }

    @Test
    void aWildcardAddressOverlapsEveryAddressButTwoDistinctAddressesDoNot() {
        List<Feature.Port> wildcard = List.of(new Feature.Port("smtp-mx", 8080, "tcp"), new Feature.Port("http", 8080, "tcp", "0.0.0.0"));
        assertThat(Features.clashes(wildcard, "127.0.0.1")).containsExactly("smtp-mx (127.0.0.1:8080) and http (0.0.0.0:8080)");
        List<Feature.Port> apart = List.of(new Feature.Port("smtp-mx", 8080, "tcp"), new Feature.Port("http", 8080, "tcp", "127.0.0.2"));
        assertThat(Features.clashes(apart, "127.0.0.1")).isEmpty();
        assertThat(Features.clashes(List.of(new Feature.Port("a", 53, "tcp"), new Feature.Port("b", 53, "udp")), "::")).isEmpty();
    }
}
