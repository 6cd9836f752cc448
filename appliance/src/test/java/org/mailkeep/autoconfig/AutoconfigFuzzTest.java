package org.mailkeep.autoconfig;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mailkeep.store.Address;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the autoconfig inputs anyone on the internet can send: the body of an Outlook Autodiscover request and the
 * address of a Thunderbird or Apple request ({@link AutoconfigResource}), through the address check
 * ({@link Address}) into the documents ({@link ClientSettings}). No bad-input exception: a request without a usable
 * address gets 400/404. Checked: every document served for an accepted address is well-formed XML and carries the
 * address as text — no request can inject markup into the answer.
 */
class AutoconfigFuzzTest {

    private static final DocumentBuilder XML;

    static {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // the plist DTD is not fetched
            XML = factory.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void request(FuzzedDataProvider data) {
        boolean autodiscover = data.consumeBoolean();
        byte[] input = data.consumeRemainingAsBytes();
        Optional<String> email = autodiscover ? AutoconfigResource.requestedAddress(input) : Optional.of(new String(input, java.nio.charset.StandardCharsets.UTF_8));
        Optional<Address> address = email.flatMap(Address::parse);
        if (address.isEmpty()) {
            return;
        }
        ClientSettings settings = new ClientSettings(address.get().domain(), "mail." + address.get().domain(), 993, 143, 465, 587);
        Document outlook = parse(settings.outlook(email.get()));
        assertThat(outlook.getElementsByTagName("LoginName").item(0).getTextContent()).isEqualTo(email.get());
        Document thunderbird = parse(settings.thunderbird());
        assertThat(thunderbird.getElementsByTagName("domain").item(0).getTextContent()).isEqualTo(address.get().domain());
        Document apple = parse(settings.appleProfile(address.get().toString()));
        assertThat(apple.getElementsByTagName("string").item(0).getTextContent()).isEqualTo(address.get().toString());
    }

    private static Document parse(String xml) {
        try {
            return XML.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException e) {
            throw new AssertionError("not well-formed XML: " + e.getMessage() + "\n" + xml, e);
        }
    }
}
