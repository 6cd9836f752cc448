package org.mailkeep.feature;

import org.junit.jupiter.api.Test;
import org.mailkeep.box.Feature;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PortsFileTest {

    @Test
    void onePortPerLineSortedWithoutDisabledOnes() {
        String rendered = PortsFile.render(List.of(
                new Feature.Port("submission", 587, "tcp"),
                new Feature.Port("imap", 0, "tcp"),
                new Feature.Port("smtp", 25, "tcp"),
                new Feature.Port("http", 80, "tcp")));
        assertThat(rendered).isEqualTo("tcp 25 smtp\ntcp 80 http\ntcp 587 submission\n");
    }

    @Test
    void nothingEnabledGivesAnEmptyFile() {
        assertThat(PortsFile.render(List.of(new Feature.Port("imap", 0, "tcp")))).isEmpty();
    }
}
