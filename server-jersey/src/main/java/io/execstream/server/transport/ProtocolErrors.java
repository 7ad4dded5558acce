package io.execstream.server.transport;

import io.execstream.domain.ErrorCode;
import io.execstream.http.ApiError;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.http.ContentEncoding;
import org.glassfish.grizzly.http.HttpCodecFilter;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpHeader;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.http.util.HttpStatus;
import org.glassfish.grizzly.http.util.MimeHeaders;
import org.glassfish.grizzly.utils.DelayedExecutor;

/**
 * Gives the answers Grizzly's HTTP parser sends on its own (a broken chunk, a bad
 * {@code Content-Length}, headers over the size or count limit, an unknown HTTP version) the API's
 * JSON error body and security headers, where Grizzly would send an empty 400 or 505; and refuses,
 * the same way, every request whose framing is unsure ({@link RequestFraming}). Each of these
 * answers closes the connection: what follows on it cannot be told apart from the bad request.
 *
 * <p>It replaces Grizzly's HTTP codec filter with one configured the same way that only fills in
 * the error body. The replacement needs a timer for its keep-alive queue; it is this object's, so
 * {@link #close()} it when the server stops.
 */
final class ProtocolErrors implements AddOn, AutoCloseable {
    private final ExecutorService timerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "execstream-http-keepalive-timer");
        t.setDaemon(true);
        return t;
    });
    private final DelayedExecutor timer = new DelayedExecutor(timerThread);

    ProtocolErrors() {
        timer.start();
    }

    /** Installs the replacement on every listener of {@code http}, which must not be started yet. */
    static ProtocolErrors install(HttpServer http) {
        ProtocolErrors errors = new ProtocolErrors();
        http.getListeners().forEach(listener -> listener.registerAddOn(errors));
        return errors;
    }

    @Override
    public void setup(NetworkListener listener, FilterChainBuilder builder) {
        int at = builder.indexOfType(HttpServerFilter.class);
        if (at < 0) {
            throw new IllegalStateException("Grizzly's filter chain has no HTTP codec to replace");
        }
        HttpServerFilter original = (HttpServerFilter) builder.get(at);
        int maxHeaderSize = listener.getMaxHttpHeaderSize() == -1
                ? HttpCodecFilter.DEFAULT_MAX_HTTP_PACKET_HEADER_SIZE : listener.getMaxHttpHeaderSize();
        HttpServerFilter codec = new JsonErrorCodec(listener.isChunkingEnabled(), maxHeaderSize,
                original.getDefaultResponseContentType(), listener.getKeepAlive(), timer,
                listener.getMaxRequestHeaders(), listener.getMaxResponseHeaders());
        codec.setAllowPayloadForUndefinedHttpMethods(original.isAllowPayloadForUndefinedHttpMethods());
        codec.setMaxPayloadRemainderToSkip(original.getMaxPayloadRemainderToSkip());
        // Whatever else Grizzly configured on its codec (compression, probes) carries over.
        for (ContentEncoding encoding : original.getContentEncodings()) {
            codec.addContentEncoding(encoding);
        }
        codec.getMonitoringConfig().addProbes(original.getMonitoringConfig().getProbes());
        builder.set(at, codec);
    }

    @Override
    public void close() {
        timer.stop();
        timer.destroy();
        timerThread.shutdownNow();
    }

    private static final class JsonErrorCodec extends HttpServerFilter {
        JsonErrorCodec(boolean chunking, int maxHeaderSize, String defaultContentType,
                       org.glassfish.grizzly.http.KeepAlive keepAlive, DelayedExecutor timer,
                       int maxRequestHeaders, int maxResponseHeaders) {
            super(chunking, maxHeaderSize, defaultContentType, keepAlive, timer, maxRequestHeaders, maxResponseHeaders);
        }

        /** The request attribute that holds the refusal of a request the parser read but refuses. */
        private static final String REFUSAL = ProtocolErrors.class.getName() + ".refusal";

        @Override
        protected boolean onHttpHeaderParsed(HttpHeader header, Buffer buffer, FilterChainContext ctx) {
            if (super.onHttpHeaderParsed(header, buffer, ctx)) {
                return true;
            }
            HttpRequestPacket request = (HttpRequestPacket) header;
            Optional<ApiError> refusal = RequestFraming.refusal(request);
            if (refusal.isEmpty()) {
                return false;
            }
            request.setAttribute(REFUSAL, refusal.get());
            if (request.getMethod() == Method.CONNECT) {
                // Grizzly frames any answer to CONNECT as the start of a tunnel, with no length;
                // this one is a refusal, framed like any other.
                request.setMethod(Method.GET);
            }
            // Refused: Grizzly answers through customizeErrorResponse and closes the connection.
            return true;
        }

        @Override
        protected void onHttpHeaderError(HttpHeader header, FilterChainContext ctx, Throwable t) throws IOException {
            if (t instanceof MimeHeaders.MaxHeaderCountExceededException) {
                ((HttpRequestPacket) header).setAttribute(REFUSAL, new ApiError(ErrorCode.INVALID_REQUEST,
                        "too many header fields: at most " + header.getHeaders().getMaxNumHeaders()));
            }
            super.onHttpHeaderError(header, ctx, t);
        }

        @Override
        protected HttpContent customizeErrorResponse(HttpResponsePacket response) {
            if (response.getRequest().getAttribute(REFUSAL) instanceof ApiError refusal) {
                return PacketAnswers.error(response, refusal, Map.of());
            }
            int status = response.getStatus();
            String message = switch (status) {
                case 413 -> "the request is too large";
                case 414 -> "the request line is too long";
                case 431 -> "the request headers are too large";
                default -> "the request is not valid HTTP/1.1";
            };
            if (status == 505) {
                // An HTTP version we do not speak is the client's error; a 5xx would say it is ours.
                HttpStatus.BAD_REQUEST_400.setValues(response);
                message = "unsupported HTTP version: send HTTP/1.1";
            } else if (status < 400 || status >= 500) {
                HttpStatus.BAD_REQUEST_400.setValues(response);
            }
            ErrorCode code = response.getStatus() == 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.INVALID_REQUEST;
            return PacketAnswers.error(response, new ApiError(response.getStatus(), code.wire(), message, Map.of()), Map.of());
        }
    }
}
