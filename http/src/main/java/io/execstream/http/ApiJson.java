package io.execstream.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/**
 * The one JSON configuration of the HTTP API: snake_case names, absent values left out, and
 * parser limits that keep hostile bodies cheap. The domain knows nothing of it; every transport
 * reads and writes bodies with {@link #MAPPER}.
 */
public final class ApiJson {
    /** Shared and thread-safe once configured, as Jackson's mappers are. */
    public static final ObjectMapper MAPPER = create();
    /** How deep arrays and objects may nest in a request body. */
    static final int MAX_NESTING_DEPTH = 64;
    /** The most characters a number in a request body may have. */
    static final int MAX_NUMBER_LENGTH = 64;

    private ApiJson() {
    }

    private static ObjectMapper create() {
        ObjectMapper mapper = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build());
        return mapper;
    }
}
