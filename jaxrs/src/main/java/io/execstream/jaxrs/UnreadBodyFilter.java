package io.execstream.jaxrs;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Answers {@code Connection: close} to a request of the API whose body was not read to its end:
 * one refused before its body was read (a wrong key, an unknown stream, a body over the limit), or
 * one with a body its endpoint does not take ({@code cancel}), or one whose body's end is unsure
 * (two {@code Content-Length} headers, which {@link BodyLimitFilter} refuses).
 *
 * <p>Why: what becomes of the rest of such a body is the container's choice. Grizzly reads and
 * drops it and keeps the connection; Jetty 12 drops what has arrived and, when the body was still
 * on its way, closes the connection after the answer without saying so. A client that sends its
 * next request on that connection then gets no answer at all (Java's {@code HttpClient}: "header
 * parser received no bytes"; like most clients it retries only idempotent methods, so a second
 * {@code POST} fails). Said in the answer, every client opens a new connection instead. A body
 * that was read to its end leaves the connection as it was.
 */
final class UnreadBodyFilter {
    /** Request property: {@code false} while a body is unread, {@code true} once read to its end. */
    static final String READ_TO_END = UnreadBodyFilter.class.getName() + ".readToEnd";

    private UnreadBodyFilter() {
    }

    /** Watches the body of each of the API's requests that has one; first, before any filter can refuse it. */
    @PreMatching
    @Priority(Priorities.AUTHENTICATION - 1)
    static final class Watch implements ContainerRequestFilter {
        @Override
        public void filter(ContainerRequestContext request) {
            if (!ApiPaths.isApi(request.getUriInfo().getPath()) || !hasBody(request)) {
                return;
            }
            request.setProperty(READ_TO_END, Boolean.FALSE);
            request.setEntityStream(new EndWatchingStream(request.getEntityStream(),
                    () -> request.setProperty(READ_TO_END, Boolean.TRUE)));
        }

        private static boolean hasBody(ContainerRequestContext request) {
            if (request.getHeaderString("Transfer-Encoding") != null) {
                return true;
            }
            try {
                return request.getLength() > 0;
            } catch (RuntimeException e) {
                // Two Content-Length headers: a body of unsure length, which nothing will read.
                return true;
            }
        }
    }

    /** Says {@code Connection: close} on the answer to a request whose body is still unread. */
    static final class CloseIfUnread implements ContainerResponseFilter {
        @Override
        public void filter(ContainerRequestContext request, ContainerResponseContext response) {
            if (Boolean.FALSE.equals(request.getProperty(READ_TO_END))) {
                response.getHeaders().putSingle("Connection", "close");
            }
        }
    }

    /** A body that runs {@code atEnd} once a read finds its end. */
    private static final class EndWatchingStream extends FilterInputStream {
        private final Runnable atEnd;

        EndWatchingStream(InputStream body, Runnable atEnd) {
            super(body);
            this.atEnd = atEnd;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                atEnd.run();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n < 0) {
                atEnd.run();
            }
            return n;
        }
    }
}
