package io.execstream.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.core.StreamReadConstraints;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * The one JSON configuration of the HTTP API: snake_case names, absent values left out, and
 * parser limits that keep hostile bodies cheap. The domain knows nothing of it.
 */
@Provider
final class JsonConfig implements ContextResolver<ObjectMapper> {
    static final ObjectMapper MAPPER = create();

    static ObjectMapper create() {
        ObjectMapper mapper = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxNumberLength(64).build());
        return mapper;
    }

    /**
     * Sets Jackson up and runs it once over the shapes of a first request (a command body read,
     * an answer written), so that the first real request does not pay for it. Start-up calls it
     * on a thread of its own while Jersey is assembled.
     */
    static void warmUp() {
        try {
            MAPPER.readTree("{\"command\":[\"echo\",\"hi\"],\"timeout_ms\":1,\"env\":{\"A\":\"b\"}}");
            MAPPER.writeValueAsBytes(java.util.Map.of("stream_id", "s", "stream_url", "/u", "status_url", "/v"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return MAPPER;
    }
}
