package org.mailkeep.smtp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SmtpCommandTest {

    @Test
    void verbIsCaseInsensitive() {
        assertThat(SmtpCommand.parse("mail FROM:<a@b.example>")).isEqualTo(new SmtpCommand("MAIL", "FROM:<a@b.example>"));
        assertThat(SmtpCommand.parse("QUIT")).isEqualTo(new SmtpCommand("QUIT", ""));
    }

    @Test
    void mailFromWithParameters() {
        var path = SmtpCommand.path("FROM:<Alice@Example.COM> SIZE=1000 BODY=8BITMIME SMTPUTF8", "FROM", true).orElseThrow();
        assertThat(path.address()).isEqualTo("Alice@example.com");
        assertThat(path.parameters().keySet()).containsExactly("SIZE", "BODY", "SMTPUTF8");
        assertThat(path.parameters()).containsEntry("SIZE", "1000").containsEntry("BODY", "8BITMIME").containsEntry("SMTPUTF8", null);
    }

    @Test
    void nullSenderOnlyWhereAllowed() {
        assertThat(SmtpCommand.path("FROM:<>", "FROM", true).orElseThrow().address()).isEmpty();
        assertThat(SmtpCommand.path("TO:<>", "TO", false)).isEmpty();
    }

    @Test
    void sourceRouteIsIgnoredAndSpaceAfterColonTolerated() {
        assertThat(SmtpCommand.path("TO: <@relay.example,@other.example:bob@example.org>", "TO", false).orElseThrow().address())
                .isEqualTo("bob@example.org");
    }

    @Test
    void invalidPathsAreRefused() {
        assertThat(SmtpCommand.path("TO:bob@example.org", "TO", false)).isEmpty();
        assertThat(SmtpCommand.path("TO:<bob@example.org", "TO", false)).isEmpty();
        assertThat(SmtpCommand.path("TO:<bob>", "TO", false)).isEmpty();
        assertThat(SmtpCommand.path("TO:<bob@@example.org>", "TO", false)).isEmpty();
        assertThat(SmtpCommand.path("FROM:<bob@example.org>", "TO", false)).isEmpty();
        assertThat(SmtpCommand.path("TO:<bob@example.org> =x", "TO", false)).isEmpty();
    }

    @Test
    void utf8AddressesParse() {
        assertThat(SmtpCommand.path("TO:<jörg@exämple.org> ", "TO", false).orElseThrow().address()).isEqualTo("jörg@xn--exmple-cua.org");
    }
}
