package org.mailkeep.queue;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.box.NotFoundException;

import java.util.List;
import java.util.Map;

/** The outbound queue API (docs/interface.md "Queue"). */
@Path("/api/queue")
@Produces(MediaType.APPLICATION_JSON)
public class QueueResource {

    private final OutboundQueue queue;
    private final DeliveryService delivery;

    public QueueResource(OutboundQueue queue, DeliveryService delivery) {
        this.queue = queue;
        this.delivery = delivery;
    }

    @GET
    public List<OutboundQueue.Entry> list() {
        return queue.list();
    }

    @POST
    @Path("/{id}/retry")
    public Response retry(@PathParam("id") long id) {
        if (!delivery.retryNow(id)) {
            throw new NotFoundException("no queued recipients in queue entry " + id);
        }
        return Response.accepted(Map.of("id", id)).build();
    }

    /** {@code ?bounce=true} (default) tells the sender with a DSN; {@code ?bounce=false} drops silently. The answer says which. */
    @DELETE
    @Path("/{id}")
    public Map<String, Object> delete(@PathParam("id") long id, @QueryParam("bounce") Boolean bounce) {
        boolean notify = bounce == null || bounce;
        if (!delivery.delete(id, notify)) {
            throw new NotFoundException("no queue entry " + id);
        }
        return Map.of("id", id, "removed", notify ? "bounced" : "dropped");
    }
}
