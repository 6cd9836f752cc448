package org.mailkeep.autoconfig;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The documents mail programs read to configure themselves for one address: Thunderbird's autoconfig
 * (clientConfig v1.1), Outlook's POX Autodiscover answer and an Apple configuration profile. Pure: values in,
 * XML out, written with the JDK's StAX writer so every value is escaped.
 *
 * @param imaps implicit-TLS IMAP port (RFC 8314), 0 when off; {@code imap}, STARTTLS IMAP; likewise for submission
 */
public record ClientSettings(String domain, String hostname, int imaps, int imap, int submissions, int submission) {

    private interface Body {
        void write(XMLStreamWriter w) throws XMLStreamException;
    }

    private static String document(Body body) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            w.writeStartDocument(StandardCharsets.UTF_8.name(), "1.0");
            body.write(w);
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing XML to a string cannot fail", e);
        }
        return out.toString();
    }

    private static void element(XMLStreamWriter w, String name, Object text) throws XMLStreamException {
        w.writeStartElement(name);
        w.writeCharacters(String.valueOf(text));
        w.writeEndElement();
    }

    /** Thunderbird autoconfig, https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat ; TLS ports first (RFC 8314 §3). */
    public String thunderbird() {
        return document(w -> {
            w.writeStartElement("clientConfig");
            w.writeAttribute("version", "1.1");
            w.writeStartElement("emailProvider");
            w.writeAttribute("id", domain);
            element(w, "domain", domain);
            element(w, "displayName", "MailKeep " + domain);
            element(w, "displayShortName", domain);
            server(w, "incomingServer", "imap", imaps, "SSL");
            server(w, "incomingServer", "imap", imap, "STARTTLS");
            server(w, "outgoingServer", "smtp", submissions, "SSL");
            server(w, "outgoingServer", "smtp", submission, "STARTTLS");
            w.writeEndElement();
            w.writeEndElement();
        });
    }

    private void server(XMLStreamWriter w, String kind, String type, int port, String socket) throws XMLStreamException {
        if (port == 0) {
            return;
        }
        w.writeStartElement(kind);
        w.writeAttribute("type", type);
        element(w, "hostname", hostname);
        element(w, "port", port);
        element(w, "socketType", socket);
        element(w, "authentication", "password-cleartext");
        element(w, "username", "%EMAILADDRESS%");
        w.writeEndElement();
    }

    /** Outlook's POX Autodiscover answer ([MS-OXDSCLI] §2.2.4), IMAP and SMTP over implicit TLS. */
    public String outlook(String address) {
        return document(w -> {
            w.writeStartElement("Autodiscover");
            w.writeDefaultNamespace("http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006");
            w.writeStartElement("Response");
            w.writeDefaultNamespace("http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a");
            w.writeStartElement("Account");
            element(w, "AccountType", "email");
            element(w, "Action", "settings");
            protocol(w, "IMAP", imaps != 0 ? imaps : imap, imaps != 0, address);
            protocol(w, "SMTP", submissions != 0 ? submissions : submission, submissions != 0, address);
            w.writeEndElement();
            w.writeEndElement();
            w.writeEndElement();
        });
    }

    private void protocol(XMLStreamWriter w, String type, int port, boolean implicitTls, String address) throws XMLStreamException {
        if (port == 0) {
            return; // both listeners of this protocol are off
        }
        w.writeStartElement("Protocol");
        element(w, "Type", type);
        element(w, "Server", hostname);
        element(w, "Port", port);
        element(w, "LoginName", address);
        element(w, "DomainRequired", "off");
        element(w, "SPA", "off");
        element(w, "SSL", "on");
        if (!implicitTls) {
            element(w, "Encryption", "TLS");
        }
        element(w, "AuthRequired", "on");
        w.writeEndElement();
    }

    /**
     * An Apple configuration profile with one com.apple.mail.managed payload (Apple's "Configuration Profile
     * Reference"). The UUIDs derive from address and host, so installing it again replaces the old one.
     */
    public String appleProfile(String address) {
        String id = "org.mailkeep." + hostname + "." + address;
        return document(w -> {
            w.writeDTD("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">");
            w.writeStartElement("plist");
            w.writeAttribute("version", "1.0");
            w.writeStartElement("dict");
            element(w, "key", "PayloadContent");
            w.writeStartElement("array");
            w.writeStartElement("dict");
            entry(w, "EmailAccountDescription", address);
            entry(w, "EmailAccountType", "EmailTypeIMAP");
            entry(w, "EmailAddress", address);
            entry(w, "IncomingMailServerAuthentication", "EmailAuthPassword");
            entry(w, "IncomingMailServerHostName", hostname);
            entry(w, "IncomingMailServerPortNumber", imaps != 0 ? imaps : imap);
            entry(w, "IncomingMailServerUseSSL", true);
            entry(w, "IncomingMailServerUsername", address);
            entry(w, "OutgoingMailServerAuthentication", "EmailAuthPassword");
            entry(w, "OutgoingMailServerHostName", hostname);
            entry(w, "OutgoingMailServerPortNumber", submissions != 0 ? submissions : submission);
            entry(w, "OutgoingMailServerUseSSL", true);
            entry(w, "OutgoingMailServerUsername", address);
            entry(w, "OutgoingPasswordSameAsIncomingPassword", true);
            entry(w, "PayloadDisplayName", "Mail " + address);
            entry(w, "PayloadIdentifier", id + ".mail");
            entry(w, "PayloadType", "com.apple.mail.managed");
            entry(w, "PayloadUUID", uuid(id + ".mail"));
            entry(w, "PayloadVersion", 1);
            w.writeEndElement();
            w.writeEndElement();
            entry(w, "PayloadDisplayName", "MailKeep: " + address);
            entry(w, "PayloadIdentifier", id);
            entry(w, "PayloadType", "Configuration");
            entry(w, "PayloadUUID", uuid(id));
            entry(w, "PayloadVersion", 1);
            w.writeEndElement();
            w.writeEndElement();
        });
    }

    private static void entry(XMLStreamWriter w, String key, Object value) throws XMLStreamException {
        element(w, "key", key);
        if (value instanceof Boolean b) {
            w.writeEmptyElement(b ? "true" : "false");
        } else if (value instanceof Integer) {
            element(w, "integer", value);
        } else {
            element(w, "string", value);
        }
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(java.util.Locale.ROOT);
    }
}
