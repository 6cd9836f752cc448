package org.mailkeep.sender;

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
import org.mailkeep.api.MailboxResource;

import java.util.List;

/** {@code /api/mailboxes/{address}/sender-identities}: the addresses a mailbox may send as; the admin grants and revokes extra ones. */
@Path("/api/mailboxes/{address}/sender-identities")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class SenderIdentityResource {

    public record GrantRequest(String address) {
    }

    private final SenderIdentities identities;

    public SenderIdentityResource(SenderIdentities identities) {
        this.identities = identities;
    }

    @GET
    public List<SenderIdentities.Identity> list(@PathParam("address") String address) {
        return identities.list(address);
    }

    @POST
    public Response grant(@PathParam("address") String address, GrantRequest request) {
        if (request == null) {
            throw new InvalidInput("address", "a JSON body with the address to grant is required");
        }
        return Response.status(201).entity(identities.grant(address, MailboxResource.parseAddress("address", request.address()))).build();
    }

    @DELETE
    @Path("{identity}")
    public Response revoke(@PathParam("address") String address, @PathParam("identity") String identity) {
        identities.revoke(address, identity);
        return Response.noContent().build();
    }
}
