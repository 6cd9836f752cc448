package org.mailkeep.api;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.mailkeep.health.StatusLeds;
import org.mailkeep.box.ApiError;

import java.util.List;
import java.util.Map;

/** The admin UI's "blink each LED" button: checks the wiring by lighting each LED alone, one second each. */
@Path("/api/hardware")
@Produces(MediaType.APPLICATION_JSON)
public class HardwareResource {

    private final StatusLeds leds;

    public HardwareResource(StatusLeds leds) {
        this.leds = leds;
    }

    @POST
    @Path("/test")
    public Response test() {
        List<String> order = leds.testWiring();
        if (order.isEmpty()) {
            return ApiError.response(409, "no LEDs to test: mailkeep.hardware is none, or this is not a Raspberry Pi");
        }
        return Response.accepted(Map.of("leds", order, "secondsEach", 1)).build();
    }
}
