package org.mailkeep.autoconfig;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ClientSettingsTest {

    static final ClientSettings SETTINGS = new ClientSettings("example.test", "mail.example.test", 993, 143, 465, 587);

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static String xpath(Document doc, String expression) throws Exception {
        return XPathFactory.newInstance().newXPath().evaluate(expression, doc);
    }

    @Test
    void thunderbirdListsTlsPortsFirstAndOmitsDisabledOnes() throws Exception {
        Document doc = parse(SETTINGS.thunderbird());
        assertThat(xpath(doc, "/clientConfig/@version")).isEqualTo("1.1");
        assertThat(xpath(doc, "/clientConfig/emailProvider/domain")).isEqualTo("example.test");
        assertThat(xpath(doc, "/clientConfig/emailProvider/incomingServer[1]/port")).isEqualTo("993");
        assertThat(xpath(doc, "/clientConfig/emailProvider/incomingServer[1]/socketType")).isEqualTo("SSL");
        assertThat(xpath(doc, "/clientConfig/emailProvider/incomingServer[2]/socketType")).isEqualTo("STARTTLS");
        assertThat(xpath(doc, "/clientConfig/emailProvider/outgoingServer[1]/port")).isEqualTo("465");
        assertThat(xpath(doc, "/clientConfig/emailProvider/outgoingServer[1]/username")).isEqualTo("%EMAILADDRESS%");

        Document noStartTls = parse(new ClientSettings("example.test", "mail.example.test", 993, 0, 465, 0).thunderbird());
        assertThat(xpath(noStartTls, "count(//incomingServer)")).isEqualTo("1");
    }

    @Test
    void outlookAnswersWithImapAndSmtpForTheAddress() throws Exception {
        Document doc = parse(SETTINGS.outlook("anna@example.test"));
        assertThat(xpath(doc, "//Protocol[Type='IMAP']/Port")).isEqualTo("993");
        assertThat(xpath(doc, "//Protocol[Type='SMTP']/Port")).isEqualTo("465");
        assertThat(xpath(doc, "//Protocol[Type='SMTP']/LoginName")).isEqualTo("anna@example.test");
    }

    @Test
    void appleProfileIsAStablePlistWithEscapedValues() throws Exception {
        String profile = new ClientSettings("example.test", "mail.example.test", 993, 143, 465, 587).appleProfile("a&b@example.test");
        assertThat(profile).contains("<!DOCTYPE plist").contains("a&amp;b@example.test");
        Document doc = parse(profile);
        assertThat(xpath(doc, "//dict/key[.='PayloadType']/following-sibling::string[1]")).isEqualTo("com.apple.mail.managed");
        assertThat(xpath(doc, "//dict/key[.='IncomingMailServerPortNumber']/following-sibling::integer[1]")).isEqualTo("993");
        assertThat(profile).as("same UUIDs each time: a reinstall replaces the profile").isEqualTo(
                new ClientSettings("example.test", "mail.example.test", 993, 143, 465, 587).appleProfile("a&b@example.test"));
    }
}
