package io.execstream.server.transport;

import io.execstream.http.CorsPolicy;
import io.execstream.http.EventStreams;
import io.execstream.http.Links;
import io.execstream.http.ProjectEvents;
import jakarta.ws.rs.container.ContainerResponseFilter;
import org.glassfish.grizzly.http.server.HttpServer;

/**
 * What the standalone server adds to Grizzly and Jersey's container around the API: the fast
 * path of event streams ({@code EventStreamFilter}, in Grizzly's filter chain), JSON answers to requests Jersey cannot take in
 * ({@code ContainerGuard}) and to those Grizzly's HTTP parser refuses, with the refusal of every
 * request whose framing is unsure ({@code ProtocolErrors}, {@code RequestFraming}), and the
 * security headers on every answer. The pieces stay package-private: this is the one door
 * the server goes through. {@link #close()} it after the server stopped listening.
 */
public final class GrizzlyTransport implements AutoCloseable {
    private final ProtocolErrors protocolErrors;

    private GrizzlyTransport(ProtocolErrors protocolErrors) {
        this.protocolErrors = protocolErrors;
    }

    /**
     * Puts the transport in front of the application's container in {@code http}, which must not
     * be started yet: event streams are served by {@code events}, projects' events by
     * {@code projectEvents} with {@code links}, with the CORS headers of {@code cors}; everything
     * else goes on to the container.
     */
    public static GrizzlyTransport install(HttpServer http, EventStreams events, ProjectEvents projectEvents, Links links,
                                           CorsPolicy cors) {
        EventStreamFilter.install(http, events, projectEvents, links, cors);
        // Answers that Grizzly or Jersey would give before the API's error handling sees the request.
        ContainerGuard.install(http);
        return new GrizzlyTransport(ProtocolErrors.install(http));
    }

    /**
     * A response filter for the JAX-RS application that gives every answer the API's security
     * headers, those of paths no resource matched included.
     */
    public static ContainerResponseFilter securityHeadersOnEveryAnswer() {
        return new AllAnswersHeaders();
    }

    /** Stops the timer thread of the replaced HTTP codec. */
    @Override
    public void close() {
        protocolErrors.close();
    }
}
