package io.execstream.server.transport;

import io.execstream.http.ApiError;
import io.execstream.http.SecurityHeaders;
import java.util.Map;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;

/**
 * Whole answers given in Grizzly's filter chain, below its HTTP server: each is the response's
 * one and last content, with the API's security headers, for the codec to frame.
 */
final class PacketAnswers {
    private PacketAnswers() {
    }

    /** {@code error}'s status and JSON body, with the security headers, the error's headers and {@code headers}. */
    static HttpContent error(HttpResponsePacket response, ApiError error, Map<String, String> headers) {
        byte[] json = error.body();
        HttpStatus.getHttpStatus(error.status()).setValues(response);
        response.setContentType("application/json");
        SecurityHeaders.HEADERS.forEach(response::setHeader);
        error.headers().forEach(response::setHeader);
        headers.forEach(response::setHeader);
        response.setContentLength(json.length);
        return HttpContent.builder(response)
                .content(Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, json))
                .last(true)
                .build();
    }

    /** Writes {@link #error} through {@code ctx}. */
    static void error(FilterChainContext ctx, HttpResponsePacket response, ApiError error, Map<String, String> headers) {
        ctx.write(error(response, error, headers));
    }

    /** Writes an answer of {@code status} with no body, with the security headers and {@code headers}. */
    static void empty(FilterChainContext ctx, HttpResponsePacket response, int status, Map<String, String> headers) {
        HttpStatus.getHttpStatus(status).setValues(response);
        SecurityHeaders.HEADERS.forEach(response::setHeader);
        headers.forEach(response::setHeader);
        ctx.write(HttpContent.builder(response).last(true).build());
    }
}
