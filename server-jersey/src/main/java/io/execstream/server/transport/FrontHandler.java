package io.execstream.server.transport;

import io.execstream.server.config.ServerConfig;
import io.execstream.http.ApiError;
import io.execstream.http.SecurityHeaders;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpHandlerRegistration;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerConfiguration;

/**
 * A Grizzly handler in front of another (in the end, Jersey's container): it takes the inner
 * handler's URI settings and passes its life cycle on, and answers errors the way the API does.
 */
abstract class FrontHandler extends HttpHandler {
    /** The handler requests go on to. */
    protected final HttpHandler inner;

    FrontHandler(String name, HttpHandler inner) {
        super(name);
        this.inner = inner;
        setAllowEncodedSlash(inner.isAllowEncodedSlash());
        setRequestURIEncoding(inner.getRequestURIEncoding());
    }

    /** Puts {@code wrap(handler)} in place of each handler of {@code http}, which must not be started yet. */
    static void wrapHandlers(HttpServer http, UnaryOperator<HttpHandler> wrap) {
        ServerConfiguration config = http.getServerConfiguration();
        Map<HttpHandler, HttpHandlerRegistration[]> handlers = new LinkedHashMap<>(config.getHttpHandlersWithMapping());
        handlers.forEach((handler, mappings) -> {
            config.removeHttpHandler(handler);
            config.addHttpHandler(wrap.apply(handler), mappings);
        });
    }

    /**
     * Answers with the API's JSON error body, the security headers and {@code headers}, outside
     * Jersey; does nothing once the response is committed.
     */
    static void writeError(Response response, int status, String code, String message, Map<String, String> headers)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.reset();
        byte[] json = ApiError.body(code, message);
        response.setStatus(status);
        response.setContentType("application/json");
        SecurityHeaders.HEADERS.forEach(response::setHeader);
        headers.forEach(response::setHeader);
        response.setContentLength(json.length);
        response.getOutputStream().write(json);
    }

    /** Answers {@code error} as {@link #writeError(Response, int, String, String, Map)} does. */
    static void writeError(Response response, ApiError error) throws IOException {
        writeError(response, error.status(), error.code(), error.message(), error.headers());
    }

    @Override
    public void start() {
        inner.start();
    }

    @Override
    public void destroy() {
        inner.destroy();
    }
}
