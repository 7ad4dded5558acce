package io.execstream.server.transport;

import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpResponsePacket;
import org.glassfish.grizzly.http.ProcessingState;
import org.glassfish.grizzly.http.Protocol;

/**
 * The head of an event stream's response, as a packet of its own that the codec encodes (status,
 * headers, its choice of chunking and keep-alive, which it records in the request's processing
 * state) and that is dropped once it is sent.
 *
 * <p>Why not the request's own response packet: the codec keeps that one, with the request, for as
 * long as the exchange is open, and each header field set on it stays there as two of the codec's
 * {@code DataChunk}s (about 180 bytes each, with their byte, char and buffer chunks). A stream is
 * open for hours, mostly idle, and its head has nine fields besides the status line (more with
 * CORS): 3.3 KB of the 14.3 KB an idle subscriber cost (BENCHMARKS.md). Once the head is sent, the
 * stream's output frames every chunk itself, the last one too, so nothing needs the head any more;
 * the request's own response packet is never committed, and stays empty.
 */
final class StreamHead extends HttpResponsePacket {

    /** A head for {@code request}'s answer, with what the codec set on its own response packet. */
    StreamHead(HttpRequestPacket request) {
        HttpResponsePacket own = request.getResponse();
        setRequest(request);
        setSecure(request.isSecure());
        // What the codec gives every response of its own before the answer is written.
        setProtocol(Protocol.HTTP_1_1);
        setChunkingAllowed(own.isChunkingAllowed());
        getHeaders().setMaxNumHeaders(own.getHeaders().getMaxNumHeaders());
    }

    @Override
    public ProcessingState getProcessingState() {
        // The request's: keep-alive is decided there, and read there when the answer is complete.
        return getRequest().getProcessingState();
    }
}
