package org.mailkeep.api;

import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.mailkeep.box.ConflictException;
import org.mailkeep.box.NotFoundException;
import org.mailkeep.store.StoreException;
import org.mailkeep.box.ApiError;
import org.mailkeep.box.InvalidInput;

/** Maps the domain's exceptions to the API's JSON errors. */
public class ApiExceptionMappers {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMappers.class);

    @ServerExceptionMapper
    public Response invalidInput(InvalidInput e) {
        return ApiError.response(400, e.getMessage(), e.field);
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return ApiError.response(409, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return ApiError.response(404, e.getMessage());
    }

    @ServerExceptionMapper
    public Response store(StoreException e) {
        LOG.error("store failure behind an API call", e);
        return ApiError.response(503, "storage is not available: " + e.getMessage());
    }
}
