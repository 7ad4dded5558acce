package io.execstream.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execstream.domain.ErrorCode;
import java.util.Map;

/**
 * One error answer of the API: its status, the {@code error} code and {@code message} of its body
 * {@code {"error": "...", "message": "..."}}, and any headers it needs ({@code Retry-After},
 * {@code Allow}). Every transport writes errors from this, so they are the same everywhere.
 *
 * @param status  the HTTP status
 * @param code    the wire code, e.g. {@code not_found}
 * @param message a sentence for a person, saying what to do where it can
 * @param headers headers beside the security headers, e.g. {@code Retry-After}
 */
public record ApiError(int status, String code, String message, Map<String, String> headers) {
    public ApiError {
        headers = Map.copyOf(headers);
    }

    /** The answer with {@code code}'s status and wire name. */
    public ApiError(ErrorCode code, String message) {
        this(code.status(), code.wire(), message, Map.of());
    }

    /** The same error with one more header. */
    public ApiError withHeader(String name, String value) {
        var all = new java.util.LinkedHashMap<>(headers);
        all.put(name, value);
        return new ApiError(status, code, message, all);
    }

    /** The JSON body, as bytes. */
    public byte[] body() {
        return body(code, message);
    }

    /** The JSON body of an error with {@code code} and {@code message}. */
    public static byte[] body(String code, String message) {
        ObjectNode node = ApiJson.MAPPER.createObjectNode().put("error", code).put("message", message);
        try {
            return ApiJson.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an error body", e);
        }
    }
}
