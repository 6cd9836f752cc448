package org.mailkeep.box;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The API's error body: {@code {"error": "...", "field": "..."}} (docs/interface.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {

    public static Response response(int status, String error, String field) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(error, field)).build();
    }

    public static Response response(int status, String error) {
        return response(status, error, null);
    }
}
