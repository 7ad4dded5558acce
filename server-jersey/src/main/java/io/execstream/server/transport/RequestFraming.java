package io.execstream.server.transport;

import io.execstream.domain.ErrorCode;
import io.execstream.http.ApiError;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.glassfish.grizzly.http.HttpPacketParsing;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.Method;
import org.glassfish.grizzly.http.Protocol;
import org.glassfish.grizzly.http.util.MimeHeaders;

/**
 * Refuses a request whose end is not certain: where its body stops is what tells the next
 * pipelined request from it, and a proxy in front that reads the headers otherwise than this
 * server would see a different next request (request smuggling). Grizzly accepts such requests
 * leniently; RFC 9112 says to reject them, and the refusal closes the connection.
 *
 * <ul>
 *   <li>a header field name must be a token: nothing, not even whitespace, before its colon
 *       (RFC 9112, 5.1);</li>
 *   <li>at most one {@code Content-Length}, one number (RFC 9112, 6.3; two equal ones too);</li>
 *   <li>{@code Transfer-Encoding} only without {@code Content-Length}, only in HTTP/1.1, and only
 *       {@code chunked}, the one coding the server decodes (so {@code chunked, identity} and
 *       {@code xchunked} are refused) (RFC 9112, 6.1);</li>
 *   <li>no {@code CONNECT}: the server is no proxy, and Grizzly would frame any answer to it as
 *       the start of a tunnel, with no length.</li>
 * </ul>
 */
final class RequestFraming {
    private RequestFraming() {
    }

    /**
     * The refusal of {@code request}, whose headers were just parsed (its parsing state not yet
     * recycled); empty when its framing is certain.
     */
    static Optional<ApiError> refusal(HttpRequestPacket request) {
        MimeHeaders headers = request.getHeaders();
        List<String> lengths = new ArrayList<>();
        List<String> codings = new ArrayList<>();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.getName(i).toString();
            if (!isToken(name)) {
                return invalid("a header field name holds whitespace or another character no name may have "
                        + "(no space before the colon)");
            }
            if (name.equalsIgnoreCase("Content-Length")) {
                lengths.add(headers.getValue(i).toString().strip());
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                for (String coding : headers.getValue(i).toString().split(",", -1)) {
                    codings.add(coding.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        if (request.getMethod() == Method.CONNECT) {
            // The target of CONNECT is a host to tunnel to, no resource here: it allows no method.
            return Optional.of(new ApiError(ErrorCode.METHOD_NOT_ALLOWED, "CONNECT is not supported: this server is not a proxy")
                    .withHeader("Allow", ""));
        }
        if (lengths.size() > 1) {
            return invalid("the request has " + lengths.size() + " Content-Length headers; send one");
        }
        if (lengths.size() == 1 && !lengths.get(0).matches("[0-9]{1,18}")) {
            return invalid("the Content-Length header is not one number");
        }
        if (codings.isEmpty()) {
            return Optional.empty();
        }
        // Grizzly drops the Content-Length headers it read before a chunked Transfer-Encoding; its
        // parser counted them.
        boolean droppedLengths = request instanceof HttpPacketParsing parsed
                && parsed.getHeaderParsingState().contentLengthHeadersCount > 0;
        if (!lengths.isEmpty() || droppedLengths) {
            return invalid("the request has both Content-Length and Transfer-Encoding; send one");
        }
        if (request.getProtocol() != Protocol.HTTP_1_1) {
            return invalid("Transfer-Encoding needs HTTP/1.1");
        }
        if (!codings.contains("chunked")) {
            return invalid("unknown Transfer-Encoding: only chunked is supported");
        }
        if (!codings.get(codings.size() - 1).equals("chunked")) {
            return invalid("chunked must be the last Transfer-Encoding");
        }
        if (codings.size() > 1) {
            return invalid("only the chunked transfer coding is supported, alone");
        }
        return Optional.empty();
    }

    /** RFC 9110's token: the characters a field name may have. */
    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean alphanumeric = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static Optional<ApiError> invalid(String message) {
        return Optional.of(new ApiError(ErrorCode.INVALID_REQUEST, message));
    }
}
