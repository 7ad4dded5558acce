package io.execstream.server;

import io.execstream.domain.StreamEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes an output event's data, {@code {"type":"stdout","content":"..."}}, straight to UTF-8
 * bytes. It is the hottest path of a busy stream: a general JSON library, going through a
 * {@code String} and then its bytes, took most of the server's time on large output.
 */
final class OutputJson {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDOUT_HEAD = "{\"type\":\"stdout\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDERR_HEAD = "{\"type\":\"stderr\",\"content\":\"".getBytes(StandardCharsets.US_ASCII);

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
        byte[] out = new byte[prefix.length + head.length + text.length + text.length / 8 + 16 + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(head, 0, out, prefix.length, head.length);
        int n = prefix.length + head.length;
        int run = 0;
        int i = 0;
        while (i < text.length) {
            // Eight bytes at a time while none needs escaping: most output is plain text.
            if (i + 8 <= text.length && plain((long) LONGS.get(text, i))) {
                i += 8;
                continue;
            }
            byte b = text[i];
            if (ESCAPED[b & 0xff]) {
                out = ensure(out, n + (i - run) + 8);
                System.arraycopy(text, run, out, n, i - run);
                n += i - run;
                n = escape((char) b, out, n);
                run = i + 1;
            }
            i++;
        }
        out = ensure(out, n + (text.length - run) + 2 + suffix.length);
        System.arraycopy(text, run, out, n, text.length - run);
        n += text.length - run;
        out[n++] = '"';
        out[n++] = '}';
        System.arraycopy(suffix, 0, out, n, suffix.length);
        n += suffix.length;
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * Whether none of the eight bytes in {@code word} is below 0x20, {@code "} or {@code \\}
     * (bytes of multi-byte characters are all above 0x7F and pass). Each test is the classic
     * "has a zero byte" / "has a byte less than n" bit trick, exact for any word.
     */
    private static boolean plain(long word) {
        long control = (word - 0x2020202020202020L) & ~word;
        long quote = word ^ 0x2222222222222222L;
        quote = (quote - 0x0101010101010101L) & ~quote;
        long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
        backslash = (backslash - 0x0101010101010101L) & ~backslash;
        return ((control | quote | backslash) & 0x8080808080808080L) == 0;
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
