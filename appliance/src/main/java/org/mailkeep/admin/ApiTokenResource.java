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
import org.mailkeep.box.NotFoundException;

import java.util.List;

/** {@code /api/admin/tokens}: list, create (the token is in the answer, once), revoke. */
@Path("/api/admin/tokens")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ApiTokenResource {

    public record CreateRequest(String name) {
    }

    public record CreatedAnswer(long id, String name, long createdAt, String token) {
    }

    private final ApiTokens tokens;

    public ApiTokenResource(ApiTokens tokens) {
        this.tokens = tokens;
    }

    @GET
    public List<ApiTokens.Token> list() {
        return tokens.list();
    }

    @POST
    public Response create(CreateRequest request) {
        String name = InvalidInput.required("name", request == null ? null : request.name()).trim();
        if (name.isEmpty() || name.length() > 64 || !name.matches("[\\p{L}\\p{N} ._-]+")) {
            throw new InvalidInput("name", "use 1-64 letters, digits, spaces, dots, dashes or underscores");
        }
        ApiTokens.Created created = tokens.create(name);
        return Response.status(201).entity(new CreatedAnswer(created.token().id(), name, created.token().createdAt(), created.secret())).build();
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") long id) {
        if (!tokens.delete(id)) {
            throw new NotFoundException("no such token: " + id);
        }
        return Response.noContent().build();
    }
}
