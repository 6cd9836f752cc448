package org.mailkeep.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.mailkeep.backup.MboxExport;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;
import org.mailkeep.box.InvalidInput;

import java.util.List;

@Path("/api/mailboxes")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class MailboxResource {

    /** Shortest mailbox password accepted; clients store it, so a long generated passphrase is the norm. */
    static final int MIN_PASSWORD = 10;

    public record Mailbox(String address, String displayName, long quotaBytes, long usedBytes) {
        static Mailbox of(Directory.Account a, long usedBytes) {
            return new Mailbox(a.address(), a.displayName(), a.quotaBytes(), usedBytes);
        }
    }

    public record CreateRequest(String address, String password, String displayName) {
    }

    public record UpdateRequest(String address, String password, String displayName, Long quotaBytes) {
    }

    private final Directory directory;
    private final MboxExport mbox;

    public MailboxResource(Directory directory, MboxExport mbox) {
        this.directory = directory;
        this.mbox = mbox;
    }

    @GET
    public List<Mailbox> list() {
        return directory.accounts().stream().map(this::mailbox).toList();
    }

    @POST
    public Response create(CreateRequest request) {
        if (request == null) {
            throw new InvalidInput("address", "a JSON body with address and password is required");
        }
        Address address = parseAddress("address", request.address());
        checkPassword(request.password());
        Directory.Account account = directory.createAccount(address, request.password(), request.displayName());
        return Response.status(201).entity(mailbox(account)).build();
    }

    @PATCH
    @Path("{address}")
    public Mailbox update(@PathParam("address") String address, UpdateRequest request) {
        Directory.Account current = directory.account(address).orElseThrow(() -> new NotFoundException("no such mailbox: " + address));
        if (request == null) {
            return mailbox(current);
        }
        String effective = current.address();
        if (request.password() != null) {
            checkPassword(request.password());
        }
        if (request.quotaBytes() != null && request.quotaBytes() < 0) {
            throw new InvalidInput("quotaBytes", "the quota is a number of bytes, 0 for none");
        }
        if (request.address() != null && !request.address().equalsIgnoreCase(current.address())) {
            Address renamed = parseAddress("address", request.address());
            directory.rename(current.address(), renamed);
            effective = renamed.toString();
        }
        if (request.password() != null) {
            directory.setPassword(effective, request.password());
        }
        if (request.displayName() != null) {
            directory.setDisplayName(effective, request.displayName());
        }
        if (request.quotaBytes() != null) {
            directory.setQuota(effective, request.quotaBytes());
        }
        return mailbox(directory.account(effective).orElseThrow());
    }

    @DELETE
    @Path("{address}")
    public Response delete(@PathParam("address") String address) {
        directory.deleteAccount(address);
        return Response.noContent().build();
    }

    /** The whole mailbox as one mbox file (mboxrd), streamed. */
    @GET
    @Path("{address}/mbox")
    @Produces("application/mbox")
    public Response exportMbox(@PathParam("address") String address) {
        if (!mbox.exists(address)) {
            throw new NotFoundException("no such mailbox: " + address);
        }
        StreamingOutput body = out -> mbox.export(address, out);
        return Response.ok(body)
                .header("Content-Disposition", "attachment; filename=\"" + address.replaceAll("[^A-Za-z0-9@._+-]", "_") + ".mbox\"").build();
    }

    private Mailbox mailbox(Directory.Account account) {
        return Mailbox.of(account, directory.usedBytes(account.id()));
    }

    public static Address parseAddress(String field, String value) {
        return Address.parse(InvalidInput.required(field, value))
                .orElseThrow(() -> new InvalidInput(field, "not a valid e-mail address: " + value));
    }

    private static void checkPassword(String password) {
        if (InvalidInput.required("password", password).length() < MIN_PASSWORD) {
            throw new InvalidInput("password", "use at least " + MIN_PASSWORD + " characters");
        }
        if (org.mailkeep.setup.CommonPasswords.isCommon(password)) {
            throw new InvalidInput("password", "this password is on the list of common passwords that attackers try first");
        }
    }
}
