package io.execstream.http;

import io.execstream.domain.StreamEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
     * The data between {@code prefix} and {@code suffix} in one array: an event's whole SSE frame
     * is made with a single copy of the output.
     */
    static byte[] encode(StreamEvent.Output output, byte[] prefix, byte[] suffix) {
        // The JDK's UTF-8 encoding is intrinsic and fast; escaping then only looks at ASCII bytes,
        // since every byte of a multi-byte character is >= 0x80. (A lone surrogate, which the
        // decoder never produces, would come out as '?'.)
        byte[] text = output.content().getBytes(StandardCharsets.UTF_8);
        byte[] head = output.type() == io.execstream.domain.OutputType.STDOUT ? STDOUT_HEAD : STDERR_HEAD;
        // Room for the text, its closing, the suffix and one word stored past the end; escapes
        // (a newline every line, in most output) grow it only when this slack runs out.
        int tail = 2 + TS_HEAD.length + EventTime.LENGTH + 1 + suffix.length + 8;
        byte[] out = new byte[prefix.length + head.length + text.length + (text.length >> 4) + tail];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(head, 0, out, prefix.length, head.length);
        int n = prefix.length + head.length;
        int i = 0;
        // Eight bytes at a time: each word is stored whole, and where it holds a byte that needs
        // escaping, only the bytes before that one count; the escape follows and the next word
        // starts after it. Plain text thus costs a load, a test and a store per eight bytes.
        while (i <= text.length - 8) {
            long word = (long) LONGS.get(text, i);
            LONGS.set(out, n, word);
            long escaped = escapedBytes(word);
            if (escaped == 0) {
                i += 8;
                n += 8;
                continue;
            }
            int plain = Long.numberOfTrailingZeros(escaped) >>> 3;
            i += plain;
            n += plain;
            out = ensure(out, n + 6 + (text.length - i) + tail);
            n = escape((char) text[i], out, n);
            i++;
        }
        for (; i < text.length; i++) {
            byte b = text[i];
            if (ESCAPED[b & 0xff]) {
                out = ensure(out, n + 6 + (text.length - i) + tail);
                n = escape((char) b, out, n);
            } else {
                out[n++] = b;
            }
        }
        if (output.ts() != null) {
            System.arraycopy(TS_HEAD, 0, out, n, TS_HEAD.length);
            n = EventTime.write(output.ts(), out, n + TS_HEAD.length);
        }
        out[n++] = '"';
        out[n++] = '}';
        System.arraycopy(suffix, 0, out, n, suffix.length);
        n += suffix.length;
        return n == out.length ? out : Arrays.copyOf(out, n);
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

    private static byte[] ensure(byte[] out, int size) {
        return size <= out.length ? out : Arrays.copyOf(out, Math.max(size, out.length + (out.length >> 1)));
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
