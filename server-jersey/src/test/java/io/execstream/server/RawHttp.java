package io.execstream.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on a plain socket, for requests no well-behaved client would send: invalid UTF-8, CR or
 * LF inside a header value, methods and targets {@code java.net.http} refuses, ambiguous framing,
 * pipelined requests. Each exchange uses its own connection and reads the answer to the end of the
 * connection, all within a deadline.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** An answer; {@code status} is -1 when the server closed the connection without one. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return TestServer.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + headers + " " + SseTestClient.abbreviate(text());
        }
    }

    /** Sends {@code request} as given and reads the answer until the server closes, within {@code timeout}. */
    static Answer exchange(URI server, byte[] request, Duration timeout) {
        // The server may answer before it has read the whole request; both ends are fine.
        Received received = send(server, request, true, timeout);
        if (!received.closed()) {
            throw new AssertionError("no complete answer within " + timeout + " to " + printable(request)
                    + "; so far: " + printable(received.bytes()));
        }
        return parse(received.bytes());
    }

    /**
     * What one connection carried back: the answers in order, and whether the server closed the
     * connection (rather than waiting for more requests) before the deadline.
     */
    record Conversation(List<Answer> answers, boolean closed) {
        @Override
        public String toString() {
            return answers.size() + " answer(s), " + (closed ? "closed" : "left open") + ": " + answers;
        }
    }

    /**
     * Sends {@code requests} (one, or several pipelined) and reads whatever comes back until the
     * server closes the connection or {@code timeout} has passed, without closing the sending side:
     * a server that keeps the connection for more requests leaves it open.
     */
    static Conversation converse(URI server, byte[] requests, Duration timeout) {
        Received received = send(server, requests, false, timeout);
        List<Answer> answers = new ArrayList<>();
        byte[] rest = received.bytes();
        while (rest.length > 0) {
            int end = indexOf(rest, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            Answer head = parse(java.util.Arrays.copyOf(rest, end < 0 ? rest.length : end + 4));
            String length = head.header("content-length");
            int size = end < 0 ? rest.length
                    : length != null ? Math.min(rest.length, end + 4 + Integer.parseInt(length))
                    : head.status() == 204 || head.status() == 304 ? end + 4
                    : "chunked".equalsIgnoreCase(head.header("transfer-encoding")) ? chunkedEnd(rest, end + 4)
                    : rest.length; // delimited by the close: the rest is this answer's
            answers.add(parse(java.util.Arrays.copyOf(rest, size)));
            rest = java.util.Arrays.copyOfRange(rest, size, rest.length);
        }
        return new Conversation(List.copyOf(answers), received.closed());
    }

    private record Received(byte[] bytes, boolean closed) {
    }

    private static Received send(URI server, byte[] request, boolean closeSending, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), (int) timeout.toMillis());
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            if (closeSending) {
                socket.shutdownOutput();
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Received(all.toByteArray(), false);
                }
                socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    // A reset after the answer was written: keep what arrived.
                    return new Received(all.toByteArray(), true);
                }
                if (n < 0) {
                    return new Received(all.toByteArray(), true);
                }
                all.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("exchange with " + server + " failed for " + printable(request), e);
        }
    }

    static Answer parse(byte[] raw) {
        if (raw.length == 0) {
            return new Answer(-1, Map.of(), raw);
        }
        // Skip interim answers (100 Continue): the final one follows.
        while (raw.length > 12 && new String(raw, 0, 12, StandardCharsets.ISO_8859_1).matches("HTTP/1\\.\\d 1\\d\\d ")) {
            int interimEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (interimEnd < 0) {
                break;
            }
            raw = java.util.Arrays.copyOfRange(raw, interimEnd + 4, raw.length);
        }
        if (raw.length == 0) {
            return new Answer(-1, Map.of(), raw);
        }
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            throw new AssertionError("an answer without the end of its headers: " + printable(raw));
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new AssertionError("not an HTTP status line: " + lines[0]);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        byte[] body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? dechunk(rest) : rest;
        String length = headers.get("content-length");
        if (length != null && body.length > Integer.parseInt(length)) {
            body = java.util.Arrays.copyOf(body, Integer.parseInt(length));
        }
        return new Answer(Integer.parseInt(statusLine[1]), headers, body);
    }

    /**
     * Where the chunked body that starts at {@code from} ends (after its last chunk and the empty
     * trailer), or the end of {@code in} when it is cut short.
     */
    private static int chunkedEnd(byte[] in, int from) {
        return walkChunks(in, from, new ByteArrayOutputStream());
    }

    private static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        walkChunks(in, 0, out);
        return out.toByteArray();
    }

    /**
     * Reads the chunks from {@code from} on, their data into {@code out}; returns where the body
     * ends (after the last chunk and the empty trailer), or the end of {@code in} when it is cut
     * short.
     */
    private static int walkChunks(byte[] in, int from, ByteArrayOutputStream out) {
        byte[] crlf = "\r\n".getBytes(StandardCharsets.ISO_8859_1);
        int at = from;
        while (at < in.length) {
            int eol = indexOf(java.util.Arrays.copyOfRange(in, at, in.length), crlf);
            if (eol < 0) {
                return in.length;
            }
            int n = Integer.parseInt(new String(in, at, eol, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            at += eol + 2;
            if (n == 0) {
                // No trailer fields: the empty line ends the message.
                return Math.min(in.length, at + 2);
            }
            out.write(in, at, Math.min(n, in.length - at));
            at += n + 2;
        }
        return in.length;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The bytes with controls and non-ASCII escaped, shortened, for messages. */
    static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 400); i++) {
            int b = bytes[i] & 0xff;
            if (b == '\r') {
                out.append("\\r");
            } else if (b == '\n') {
                out.append("\\n");
            } else if (b < 0x20 || b >= 0x7f) {
                out.append(String.format("\\x%02x", b));
            } else {
                out.append((char) b);
            }
        }
        return bytes.length > 400 ? out + "...(" + bytes.length + " bytes)" : out.toString();
    }
}
