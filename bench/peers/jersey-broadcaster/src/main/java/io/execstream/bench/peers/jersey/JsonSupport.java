package io.execstream.bench.peers.jersey;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.ExceptionMapper;

/** JSON as execstream's API writes it (snake_case names), and its answers to a body that is not JSON or too large. */
final class JsonSupport {

    private static final long MAX_BODY = 1 << 20;

    private JsonSupport() {
    }

    /** The ObjectMapper Jersey's Jackson provider uses: stream_id, exit_code, duration_ms, ... */
    static final class Mapper implements ContextResolver<ObjectMapper> {
        private final ObjectMapper mapper = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

        @Override
        public ObjectMapper getContext(Class<?> type) {
            return mapper;
        }
    }

    /** A body that is not JSON: 400 invalid_request. */
    static final class Malformed implements ExceptionMapper<JsonProcessingException> {
        @Override
        public Response toResponse(JsonProcessingException e) {
            return StreamResource.refused(Response.Status.BAD_REQUEST, "invalid_request", "malformed JSON").getResponse();
        }
    }

    /** A body over 1 MB, by its Content-Length: 413 payload_too_large. */
    static final class BodyLimit implements ContainerRequestFilter {
        @Override
        public void filter(ContainerRequestContext request) {
            if (request.getLength() > MAX_BODY) {
                request.abortWith(StreamResource.refused(Response.Status.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", "body over 1MB")
                        .getResponse());
            }
        }
    }
}
