package org.mailkeep.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.store.Address;
import org.mailkeep.store.Directory;
import org.mailkeep.box.InvalidInput;

import java.util.List;

@Path("/api/aliases")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AliasResource {

    public record AliasBody(String alias, String target) {
    }

    private final Directory directory;

    public AliasResource(Directory directory) {
        this.directory = directory;
    }

    @GET
    public List<AliasBody> list() {
        return directory.aliases().stream().map(a -> new AliasBody(a.alias(), a.target())).toList();
    }

    @POST
    public Response create(AliasBody body) {
        if (body == null) {
            throw new InvalidInput("alias", "a JSON body with alias and target is required");
        }
        Address alias = MailboxResource.parseAddress("alias", body.alias());
        Address target = MailboxResource.parseAddress("target", body.target());
        directory.createAlias(alias, target);
        return Response.status(201).entity(new AliasBody(alias.toString(), target.toString())).build();
    }

    @DELETE
    @Path("{alias}")
    public Response delete(@PathParam("alias") String alias) {
        directory.deleteAlias(alias);
        return Response.noContent().build();
    }
}
