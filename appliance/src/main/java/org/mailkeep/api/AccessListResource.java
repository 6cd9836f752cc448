package org.mailkeep.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.mailkeep.audit.AuditFilter;
import jakarta.ws.rs.core.Response;
import org.mailkeep.policy.AccessLists;
import org.mailkeep.store.Directory;
import org.mailkeep.box.InvalidInput;

import java.util.List;
import java.util.Locale;

/** The owner's allow/block lists (global and per mailbox) and their audit trail: /api/lists. */
@Path("/api/lists")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AccessListResource {

    public record EntryBody(Long id, String mailbox, String action, String type, String value, String note, Long createdAt) {
        static EntryBody of(AccessLists.Entry e) {
            return new EntryBody(e.id(), e.mailbox(), lower(e.action()), lower(e.type()), e.value(), e.note(), e.createdAt());
        }
    }

    public record AuditBody(long id, long at, String actor, String change, long entryId, String mailbox, String action, String type, String value) {
    }

    private final AccessLists lists;
    private final Directory directory;

    public AccessListResource(AccessLists lists, Directory directory) {
        this.lists = lists;
        this.directory = directory;
    }

    @GET
    public List<EntryBody> list(@QueryParam("mailbox") String mailbox, @QueryParam("all") @DefaultValue("false") boolean all) {
        return lists.list(mailbox == null || mailbox.isBlank() ? null : mailbox.trim(), all).stream().map(EntryBody::of).toList();
    }

    @POST
    public Response add(EntryBody body, @Context ContainerRequestContext request) {
        if (body == null) {
            throw new InvalidInput("action", "a JSON body with action, type and value is required");
        }
        AccessLists.Action action = parse(AccessLists.Action.class, "action", body.action());
        AccessLists.Type type = parse(AccessLists.Type.class, "type", body.type());
        String value = InvalidInput.required("value", body.value());
        String mailbox = body.mailbox() == null || body.mailbox().isBlank() ? null : body.mailbox().trim();
        if (mailbox != null && directory.account(mailbox).isEmpty()) {
            throw new InvalidInput("mailbox", "there is no mailbox " + mailbox);
        }
        AccessLists.Entry entry;
        try {
            entry = lists.add(mailbox, action, type, value, body.note(), actor(request));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(e.getMessage().startsWith("mailbox") ? "mailbox" : "value", e.getMessage());
        }
        return Response.status(201).entity(EntryBody.of(entry)).build();
    }

    @DELETE
    @Path("{id}")
    public Response remove(@PathParam("id") long id, @Context ContainerRequestContext request) {
        lists.remove(id, actor(request));
        return Response.noContent().build();
    }

    @GET
    @Path("audit")
    public List<AuditBody> audit(@QueryParam("limit") @DefaultValue("100") int limit) {
        return lists.audit(Math.max(1, Math.min(limit, 1000))).stream().map(a -> new AuditBody(a.id(), a.at(), a.actor(), a.change(), a.entryId(),
                a.mailbox(), lower(a.action()), lower(a.type()), a.value())).toList();
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
        String v = InvalidInput.required(field, value);
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(field, field + " must be one of " + java.util.Arrays.stream(type.getEnumConstants()).map(AccessListResource::lower).toList());
        }
    }

    /** Who calls, as the admin gate identified them (admin, admin(2fa), token:NAME). */
    private static String actor(ContainerRequestContext request) {
        Object actor = request.getProperty(AuditFilter.ACTOR);
        return actor == null ? "admin" : actor.toString();
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
