package io.execstream.http;

import io.execstream.domain.StreamEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes an output event's data, {@code {"type":"stdout","content":"...","ts":"..."}} ({@code ts}
 * left out for output without a time), straight to UTF-8
 * bytes. It is the hottest path of a busy stream: a general JSON library, going through a
 * {@code String} and then its bytes, took most of the server's time on large output.
 */
final class OutputJson {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDOUT_HEAD = "{\"type\":\"stdout\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDERR_HEAD = "{\"type\":\"stderr\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TS_HEAD = "\",\"ts\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The bytes JSON does not allow as they are in a string: {@code "}, {@code \\}, controls. */
    private static final boolean[] ESCAPED = new boolean[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPED[c] = true;
        }
        ESCAPED['"'] = true;
        ESCAPED['\\'] = true;
    }

    private OutputJson() {
    }

    static byte[] encode(StreamEvent.Output output) {
        return encode(output, new byte[0], new byte[0]);
    }

    /**
     * The data between {@code prefix} and {@code suffix} in one array of exactly their size: an
     * event's whole SSE frame is made with a single copy of the output's bytes, which are read
     * where the event holds them (no {@code String} on the way).
     */
    static byte[] encode(StreamEvent.Output output, byte[] prefix, byte[] suffix) {
        ByteBuffer text = output.utf8().order(ByteOrder.LITTLE_ENDIAN);
        int length = text.remaining();
        byte[] head = output.type() == io.execstream.domain.OutputType.STDOUT ? STDOUT_HEAD : STDERR_HEAD;
        // Escaping only ever looks at ASCII bytes: every byte of a multi-byte character is >= 0x80.
        // A first pass, which only reads, finds the bytes to escape and what their escapes add,
        // eight bytes a step, so that the frame is made at its size: no growing, no trimming copy.
        int[] escapes = new int[16 + (length >> 6)];
        int count = 0;
        int added = 0;
        int i = 0;
        for (; i <= length - 8; i += 8) {
            for (long escaped = escapedBytes(text.getLong(i)); escaped != 0; escaped &= escaped - 1) {
                int at = i + (Long.numberOfTrailingZeros(escaped) >>> 3);
                if (count == escapes.length) {
                    escapes = Arrays.copyOf(escapes, count * 2);
                }
                escapes[count++] = at;
                added += escapeSize(text.get(at)) - 1;
            }
        }
        for (; i < length; i++) {
            byte b = text.get(i);
            if (ESCAPED[b & 0xff]) {
                if (count == escapes.length) {
                    escapes = Arrays.copyOf(escapes, count * 2);
                }
                escapes[count++] = i;
                added += escapeSize(b) - 1;
            }
        }
        int time = output.ts() == null ? 0 : TS_HEAD.length + EventTime.LENGTH;
        byte[] out = new byte[prefix.length + head.length + length + added + time + 2 + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(head, 0, out, prefix.length, head.length);
        int start = prefix.length + head.length;
        // The text in one bulk copy, placed as far along as the escapes will push its end; then
        // each plain run moves forward to its place within the array and its escape follows it.
        // A write never passes the byte being read: what is left to move is always ahead of it.
        int raw = start + added;
        text.get(0, out, raw, length);
        int n = start;
        int from = 0;
        for (int k = 0; k < count; k++) {
            int at = escapes[k];
            System.arraycopy(out, raw + from, out, n, at - from);
            n += at - from;
            byte b = out[raw + at];
            n = escape((char) b, out, n);
            from = at + 1;
        }
        // The last run is in place already: the escapes before it took up exactly the room left.
        n += length - from;
        if (output.ts() != null) {
            System.arraycopy(TS_HEAD, 0, out, n, TS_HEAD.length);
            n = EventTime.write(output.ts(), out, n + TS_HEAD.length);
        }
        out[n++] = '"';
        out[n++] = '}';
        System.arraycopy(suffix, 0, out, n, suffix.length);
        return out;
    }

    /** The bytes an escaped byte takes: two for a short escape such as a newline's, six for the others (u00XX). */
    private static int escapeSize(byte b) {
        return switch (b) {
            case '"', '\\', '\n', '\r', '\t', '\b', '\f' -> 2;
            default -> 6;
        };
    }

    /**
     * The bytes of {@code word} that JSON does not allow as they are, below 0x20, {@code "} or
     * {@code \}, each marked by its high bit (bytes of multi-byte characters are all above 0x7F
     * and pass). Every byte is tested on its own, with no carry between bytes, so the mark is
     * exact for each: the lowest one finds the first byte to escape.
     */
    private static long escapedBytes(long word) {
        long low7 = word & 0x7F7F7F7F7F7F7F7FL;
        // High bit set where the byte is >= 0x20.
        long printable = (low7 + 0x6060606060606060L) | word;
        long quote = word ^ 0x2222222222222222L;
        // High bit set where the byte is not '"'.
        long notQuote = ((quote & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | quote;
        long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
        long notBackslash = ((backslash & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | backslash;
        return ~(printable & notQuote & notBackslash) & 0x8080808080808080L;
    }

    /** An ASCII character JSON does not allow as it is: {@code "}, {@code \}, or a control character. */
    private static int escape(char c, byte[] out, int n) {
        out[n++] = '\\';
        switch (c) {
            case '"' -> out[n++] = '"';
            case '\\' -> out[n++] = '\\';
            case '\n' -> out[n++] = 'n';
            case '\r' -> out[n++] = 'r';
            case '\t' -> out[n++] = 't';
            case '\b' -> out[n++] = 'b';
            case '\f' -> out[n++] = 'f';
            default -> {
                out[n++] = 'u';
                out[n++] = '0';
                out[n++] = '0';
                out[n++] = HEX[c >> 4];
                out[n++] = HEX[c & 0xf];
            }
        }
        return n;
    }
}
