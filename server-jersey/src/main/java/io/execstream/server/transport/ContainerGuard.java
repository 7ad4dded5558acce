package io.execstream.server.transport;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * Wraps Jersey's Grizzly container so that a request Jersey cannot even take in (a query with a
 * broken percent escape, a NUL in the request target: Jersey fails to build the request URI
 * and throws before any of its own error handling) gets a JSON 400, not Grizzly's HTML 500 page.
 * Everything Jersey accepts is handled by the API's error mapper as before.
 */
final class ContainerGuard extends FrontHandler {
    private static final Logger LOG = Logger.getLogger(ContainerGuard.class.getName());

    ContainerGuard(HttpHandler container) {
        super("execstream", container);
    }

    /** Puts the guard in front of the handler(s) of {@code http}, which must not be started yet. */
    static void install(HttpServer http) {
        wrapHandlers(http, ContainerGuard::new);
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        try {
            inner.service(request, response);
        } catch (IllegalArgumentException e) {
            // The request URI does not parse: the client's fault.
            writeError(response, 400, "invalid_request", "the request target is not a valid URI", Map.of());
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "request failed outside the API's error handling", e);
            writeError(response, 500, "internal_error", "the server failed to handle the request; see its log", Map.of());
        }
    }
}
