package org.mailkeep.autoconfig;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.mailkeep.config.MailkeepConfig;
import org.mailkeep.box.BoxIdentity;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where mail programs look for their settings: Thunderbird at {@code /.well-known/autoconfig/mail/config-v1.1.xml}
 * and, on the {@code autoconfig.<domain>} host, {@code /mail/config-v1.1.xml}; Outlook at
 * {@code /autodiscover/autodiscover.xml}; an Apple profile at {@code /apple/mailkeep.mobileconfig}. Public
 * by design (they hold server names only) and the same for any address of a local domain, so they do not
 * tell which mailboxes exist.
 */
@Path("/")
public class AutoconfigResource {

    /** An Autodiscover request is a few hundred bytes; anything much larger is not one. */
    static final int MAX_REQUEST = 16 * 1024;
    private static final Pattern EMAIL = Pattern.compile("<EMailAddress>\\s*([^<\\s]+)\\s*</EMailAddress>", Pattern.CASE_INSENSITIVE);

    private final BoxIdentity setup;
    private final Directory directory;
    private final MailkeepConfig config;

    public AutoconfigResource(BoxIdentity setup, Directory directory, MailkeepConfig config) {
        this.setup = setup;
        this.directory = directory;
        this.config = config;
    }

    @GET
    @Path(".well-known/autoconfig/mail/config-v1.1.xml")
    public Response thunderbirdWellKnown(@QueryParam("emailaddress") String email) {
        return thunderbird(email);
    }

    @GET
    @Path("mail/config-v1.1.xml")
    public Response thunderbird(@QueryParam("emailaddress") String email) {
        return settingsFor(email, true)
                .map(s -> Response.ok(s.thunderbird(), "application/xml;charset=UTF-8").build())
                .orElseGet(AutoconfigResource::notServed);
    }

    @POST
    @Path("{path: (?i)autodiscover/autodiscover.xml}")
    public Response outlook(InputStream body) throws IOException {
        Optional<String> email = requestedAddress(body.readNBytes(MAX_REQUEST));
        if (email.isEmpty()) {
            return Response.status(400).type("text/plain").entity("an Autodiscover request with EMailAddress is expected\n").build();
        }
        return settingsFor(email.get(), false)
                .map(s -> Response.ok(s.outlook(email.get()), "application/xml;charset=UTF-8").build())
                .orElseGet(AutoconfigResource::notServed);
    }

    /** The EMailAddress of an Autodiscover request ([MS-OXDSCLI] §2.2.3), as the client wrote it. */
    static Optional<String> requestedAddress(byte[] request) {
        Matcher m = EMAIL.matcher(new String(request, StandardCharsets.UTF_8));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    @GET
    @Path("apple/mailkeep.mobileconfig")
    public Response apple(@QueryParam("email") String email) {
        return settingsFor(email, false)
                .map(s -> Response.ok(s.appleProfile(Address.parse(email).orElseThrow().toString()), "application/x-apple-aspen-config")
                        .header("Content-Disposition", "attachment; filename=\"mailkeep.mobileconfig\"").build())
                .orElseGet(AutoconfigResource::notServed);
    }

    /** The settings when the box is set up and the address (if one is needed) is in a local domain. */
    private Optional<ClientSettings> settingsFor(String email, boolean addressOptional) {
        if (!setup.isComplete()) {
            return Optional.empty();
        }
        String domain = setup.domain().orElseThrow();
        if (email != null || !addressOptional) {
            Optional<Address> address = Address.parse(email);
            if (address.isEmpty() || !directory.isLocalDomain(address.get().domain())) {
                return Optional.empty();
            }
            domain = address.get().domain();
        }
        return Optional.of(new ClientSettings(domain, setup.hostname().orElseThrow(), config.imaps().port(), config.imap().port(),
                config.submissions().port(), config.submission().port()));
    }

    private static Response notServed() {
        return Response.status(404).type("text/plain").entity("no mail settings for this address here\n").build();
    }
}
