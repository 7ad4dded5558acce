package io.execstream.sse;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The event stream interpretation of the WHATWG HTML standard (section 9.2.6), fed with bytes as
 * they arrive: fields {@code id}, {@code event}, {@code data} and {@code retry}; lines starting
 * with {@code :} are comments; a blank line dispatches; CRLF, LF and CR all end a line; a leading
 * BOM is dropped; an {@code id} containing NUL is ignored; an event left incomplete at the end is
 * discarded.
 *
 * <p>Lifecycle: call {@link #feed} with each chunk read, in order, and {@link #finish} once at the
 * end of the body. The listener is called synchronously from {@code feed}, on the caller's
 * thread, once per dispatched event or comment; nothing is called from {@code finish} or after
 * it. Not thread-safe: one reader feeds it. The last event id persists across events, so a
 * client that reconnects can send {@link #lastEventId()} as {@code Last-Event-ID}.
 */
public final class SseParser {
    /** What the parser reports. Both methods run on the thread that called {@link #feed}. */
    public interface Listener {
        /** An event was dispatched (a blank line ended a block with data). */
        void onEvent(SseEvent event);

        /** A comment line, without the leading colon (e.g. {@code " keepalive"}). The default ignores it. */
        default void onComment(String text) {
        }
    }

    private final Listener listener;
    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean afterCr;
    private boolean atStart = true;
    private int malformedLines;

    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventId = "";
    private String idField;
    private Long retry;
    private boolean pendingFields;

    /** A parser reporting to {@code listener}. */
    public SseParser(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** A parser that starts from a known last event id, as a reconnecting client does. */
    public SseParser(Listener listener, String lastEventId) {
        this(listener);
        this.lastEventId = Objects.requireNonNull(lastEventId, "lastEventId");
    }

    /** Lines that were not valid UTF-8; they were decoded with U+FFFD, as a browser would. */
    public int malformedLines() {
        return malformedLines;
    }

    /** The last event id seen so far (empty when none), as a browser keeps it. */
    public String lastEventId() {
        return lastEventId;
    }

    /** Feeds {@code length} bytes from {@code offset}; dispatches whatever they complete. */
    public void feed(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (afterCr) {
                    afterCr = false; // the LF of a CRLF
                    continue;
                }
                endLine();
            } else if (b == '\r') {
                afterCr = true;
                endLine();
            } else {
                afterCr = false;
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = b;
            }
        }
    }

    /**
     * The end of the body: whatever is pending is discarded, as the standard says.
     *
     * @return true when an unterminated event (or line) was discarded
     */
    public boolean finish() {
        boolean partial = lineLength > 0 || pendingFields;
        lineLength = 0;
        data.setLength(0);
        eventType = "";
        idField = null;
        retry = null;
        pendingFields = false;
        return partial;
    }

    private void endLine() {
        int start = 0;
        if (atStart) {
            atStart = false;
            if (lineLength >= 3 && (line[0] & 0xff) == 0xEF && (line[1] & 0xff) == 0xBB && (line[2] & 0xff) == 0xBF) {
                start = 3;
            }
        }
        String text = decode(line, start, lineLength - start);
        lineLength = 0;
        processLine(text);
    }

    private String decode(byte[] bytes, int offset, int length) {
        try {
            return strict.reset().decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            malformedLines++;
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
    }

    private void processLine(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            listener.onComment(text.substring(1));
            return;
        }
        String field;
        String value;
        int colon = text.indexOf(':');
        if (colon >= 0) {
            field = text.substring(0, colon);
            value = text.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
        } else {
            field = text;
            value = "";
        }
        pendingFields = true;
        switch (field) {
            case "event" -> eventType = value;
            case "data" -> data.append(value).append('\n');
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                    idField = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.length() < 19 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    retry = Long.parseLong(value);
                }
            }
            default -> {
                // ignored, as the standard says
            }
        }
    }

    private void dispatch() {
        String id = idField;
        Long retryGiven = retry;
        idField = null;
        retry = null;
        pendingFields = false;
        if (data.length() == 0) {
            eventType = "";
            return;
        }
        String value = data.substring(0, data.length() - 1);
        String type = eventType.isEmpty() ? "message" : eventType;
        data.setLength(0);
        eventType = "";
        listener.onEvent(new SseEvent(type, value, id, lastEventId, retryGiven));
    }
}
