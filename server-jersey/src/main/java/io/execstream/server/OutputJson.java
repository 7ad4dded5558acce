package io.execstream.server;

import io.execstream.domain.StreamEvent;
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
        for (int i = 0; i < text.length; i++) {
            byte b = text[i];
            if (!ESCAPED[b & 0xff]) {
                continue;
            }
            out = ensure(out, n + (i - run) + 8);
            System.arraycopy(text, run, out, n, i - run);
            n += i - run;
            n = escape((char) b, out, n);
            run = i + 1;
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
