package io.execstream.server.transport;

import io.execstream.http.ApiError;
import io.execstream.http.SecurityHeaders;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpHandlerRegistration;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

/**
 * Wraps Jersey's Grizzly container so that a request Jersey cannot even take in (a query with a
 * broken percent escape, a NUL in the request target: Jersey fails to build the request URI
 * and throws before any of its own error handling) gets a JSON 400, not Grizzly's HTML 500 page.
 * Everything Jersey accepts is handled by the API's error mapper as before. It takes the
 * container's URI settings and passes its life cycle on.
 */
final class ContainerGuard extends HttpHandler {
    private static final Logger LOG = Logger.getLogger(ContainerGuard.class.getName());

    private final HttpHandler container;

    ContainerGuard(HttpHandler container) {
        super("execstream");
        this.container = container;
        setAllowEncodedSlash(container.isAllowEncodedSlash());
        setRequestURIEncoding(container.getRequestURIEncoding());
    }

    /** Puts the guard in place of each handler of {@code http}, which must not be started yet. */
    static void install(HttpServer http) {
        ServerConfiguration config = http.getServerConfiguration();
        Map<HttpHandler, HttpHandlerRegistration[]> handlers = new LinkedHashMap<>(config.getHttpHandlersWithMapping());
        handlers.forEach((handler, mappings) -> {
            config.removeHttpHandler(handler);
            config.addHttpHandler(new ContainerGuard(handler), mappings);
        });
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        try {
            container.service(request, response);
        } catch (IllegalArgumentException e) {
            // The request URI does not parse: the client's fault.
            writeError(response, 400, "invalid_request", "the request target is not a valid URI");
        } catch (Exception e) {
            LOG.log(Level.SEVERE, "request failed outside the API's error handling", e);
            writeError(response, 500, "internal_error", "the server failed to handle the request; see its log");
        }
    }

    /**
     * Answers with the API's JSON error body and the security headers, outside Jersey; does
     * nothing once the response is committed.
     */
    private static void writeError(Response response, int status, String code, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        byte[] json = ApiError.body(code, message);
        response.setStatus(status);
        response.setContentType("application/json");
        SecurityHeaders.HEADERS.forEach(response::setHeader);
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    @Override
    public void start() {
        container.start();
    }

    @Override
    public void destroy() {
        container.destroy();
    }
}
