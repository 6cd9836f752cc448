package org.mailkeep.admin;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.InvalidInput;
import org.mailkeep.store.Directory;
import org.mailkeep.box.NotFoundException;

import java.util.List;

/** {@code /api/mailboxes/{address}/app-passwords}: list, create (the secret is in the answer, once), revoke. */
@Path("/api/mailboxes/{address}/app-passwords")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AppPasswordResource {

    public record CreateRequest(String label) {
    }

    public record CreatedAnswer(long id, String label, long createdAt, String password) {
    }

    private final Directory directory;
    private final AppPasswords appPasswords;

    public AppPasswordResource(Directory directory, AppPasswords appPasswords) {
        this.directory = directory;
        this.appPasswords = appPasswords;
    }

    @GET
    public List<AppPasswords.AppPassword> list(@PathParam("address") String address) {
        return appPasswords.list(accountId(address));
    }

    @POST
    public Response create(@PathParam("address") String address, CreateRequest request) {
        String label = InvalidInput.required("label", request == null ? null : request.label()).trim();
        if (label.length() > 64) {
            throw new InvalidInput("label", "use at most 64 characters");
        }
        AppPasswords.Created created = appPasswords.create(accountId(address), label);
        return Response.status(201).entity(new CreatedAnswer(created.appPassword().id(), label,
                created.appPassword().createdAt(), created.secret())).build();
    }

    @DELETE
    @Path("{id}")
    public Response revoke(@PathParam("address") String address, @PathParam("id") long id) {
        if (!appPasswords.revoke(accountId(address), id)) {
            throw new NotFoundException("no such app password: " + id);
        }
        return Response.noContent().build();
    }

    private long accountId(String address) {
        return directory.account(address).orElseThrow(() -> new NotFoundException("no such mailbox: " + address)).id();
    }
}
