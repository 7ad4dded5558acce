package io.execstream.jaxrs;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.execstream.http.ApiError;
import io.execstream.http.ApiJson;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Bodies written with the API's own mapper, as bytes: the application's JSON provider and its
 * settings (naming, inclusion) neither shape the API's bodies nor are changed by the API.
 */
final class JsonResponses {
    private JsonResponses() {
    }

    static Response.ResponseBuilder json(Response.Status status, Object body) {
        try {
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(ApiJson.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a response body", e);
        }
    }

    static Response ok(Object body) {
        return json(Response.Status.OK, body).build();
    }

    static Response error(ApiError error) {
        Response.ResponseBuilder out = Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error.body());
        error.headers().forEach(out::header);
        return out.build();
    }
}
