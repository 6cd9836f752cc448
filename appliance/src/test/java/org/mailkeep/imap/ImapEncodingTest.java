package org.mailkeep.imap;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ImapEncodingTest {

    @Test
    void quotingAndLiterals() {
        assertThat(ImapEncoding.string("plain")).isEqualTo("\"plain\"");
        assertThat(ImapEncoding.string("say \"hi\" \\o/")).isEqualTo("\"say \\\"hi\\\" \\\\o/\"");
        assertThat(ImapEncoding.string("two\r\nlines")).isEqualTo("{10}\r\ntwo\r\nlines");
        assertThat(ImapEncoding.string("Grüße")).isEqualTo("{7}\r\nGrüße");
        StringBuilder utf8 = new StringBuilder();
        ImapEncoding.string(utf8, "Grüße", true);
        assertThat(utf8).hasToString("\"Grüße\"");
        StringBuilder nil = new StringBuilder();
        ImapEncoding.nstring(nil, null);
        assertThat(nil).hasToString("NIL");
    }

    @Test
    void atomsWhenPossible() {
        assertThat(ImapEncoding.astring("INBOX")).isEqualTo("INBOX");
        assertThat(ImapEncoding.astring("My Folder")).isEqualTo("\"My Folder\"");
        assertThat(ImapEncoding.astring("NIL")).isEqualTo("\"NIL\"");
        assertThat(ImapEncoding.astring("")).isEqualTo("\"\"");
        assertThat(ImapEncoding.flags(List.of("\\Seen", "$Label1"))).isEqualTo("(\\Seen $Label1)");
    }

    @Test
    void envelopesReadBack() {
        StringBuilder envelope = new StringBuilder("(");
        ImapEncoding.nstring(envelope, "Grüße \"aus\" Köln"); // a literal: not 7-bit
        envelope.append(" NIL ((\"Ann\" NIL \"ann\" \"example.org\")(NIL NIL \"bob\" \"example.net\")) ");
        ImapEncoding.nstring(envelope, "say \"hi\" \\o/");
        envelope.append(')');
        List<Object> parsed = ImapEncoding.parseList(envelope.toString());
        assertThat(parsed).hasSize(4);
        assertThat(parsed.get(0)).isEqualTo("Grüße \"aus\" Köln");
        assertThat(parsed.get(1)).isNull();
        assertThat(parsed.get(2)).isEqualTo(List.of(Arrays.asList("Ann", null, "ann", "example.org"), Arrays.asList(null, null, "bob", "example.net")));
        assertThat(parsed.get(3)).isEqualTo("say \"hi\" \\o/");
    }
}
