package io.execstream.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one output pipe's bytes as UTF-8 across reads: a character split between two reads is
 * held back until its last byte comes, and invalid bytes become U+FFFD. Not thread-safe: one per
 * pipe, used by that pipe's reader.
 */
final class Utf8Decoder {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** The start of a character whose remaining bytes have not come yet (at most 3 bytes). */
    private final ByteBuffer carry = ByteBuffer.allocate(8);
    private CharBuffer out = CharBuffer.allocate(1024);
    private boolean lastAscii;

    /** The text of {@code bytes} (consumed), with any held-back bytes before them. */
    String decode(ByteBuffer bytes) {
        return decode(bytes, false);
    }

    /**
     * Whether the text the last call returned is known to be ASCII only, one char per byte (so
     * its UTF-8 length is its length); false when unknown.
     */
    boolean lastAscii() {
        return lastAscii;
    }

    /** Whatever is held back, now decoded as the end of the input (an incomplete char is U+FFFD). */
    String finish() {
        return decode(ByteBuffer.allocate(0), true);
    }

    private String decode(ByteBuffer bytes, boolean end) {
        if (!end && carry.position() == 0 && bytes.hasArray()) {
            return decodeWhole(bytes);
        }
        lastAscii = false;
        ensureCapacity(bytes.remaining() + carry.position() + 4);
        out.clear();
        if (carry.position() > 0) {
            // Top the carried bytes up with just enough input to complete the character.
            while (carry.position() < 4 && bytes.hasRemaining()) {
                carry.put(bytes.get());
                carry.flip();
                decoder.decode(carry, out, false);
                boolean completed = !carry.hasRemaining();
                carry.compact();
                if (completed) {
                    break;
                }
            }
            if (end && carry.position() > 0) {
                carry.flip();
                decoder.decode(carry, out, true);
                carry.clear();
            }
        }
        decoder.decode(bytes, out, end);
        if (bytes.hasRemaining()) {
            carry.put(bytes);
        }
        if (end) {
            decoder.flush(out);
            decoder.reset();
        }
        out.flip();
        return out.toString();
    }

    /**
     * The common case, nothing held back: the JDK's own {@code String} decoding (the same
     * replacement of invalid bytes, several times faster than a decoder into a char buffer),
     * holding back only an incomplete character at the end.
     */
    private String decodeWhole(ByteBuffer bytes) {
        byte[] array = bytes.array();
        int from = bytes.arrayOffset() + bytes.position();
        int to = bytes.arrayOffset() + bytes.limit();
        int cut = to - incompleteTail(array, from, to);
        String text = new String(array, from, cut - from, StandardCharsets.UTF_8);
        // Multi-byte characters make fewer chars than bytes; invalid bytes may not (each can become
        // one U+FFFD), hence the scan, which is eight bytes a step.
        lastAscii = text.length() == cut - from && ascii(array, from, cut);
        carry.put(array, cut, to - cut);
        bytes.position(bytes.limit());
        return text;
    }

    private static boolean ascii(byte[] array, int from, int to) {
        int i = from;
        long highBits = 0;
        for (; i + 8 <= to; i += 8) {
            highBits |= (long) LONGS.get(array, i);
        }
        for (; i < to; i++) {
            highBits |= array[i];
        }
        return (highBits & 0x8080808080808080L) == 0;
    }

    /** How many bytes at the end of {@code [from, to)} start a character that is not complete. */
    private static int incompleteTail(byte[] array, int from, int to) {
        for (int back = 1; back <= 3 && to - back >= from; back++) {
            int b = array[to - back] & 0xff;
            if (b < 0x80) {
                return 0; // ASCII: whatever came before it is complete or invalid
            }
            if (b >= 0xC0) {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return length > back && b < 0xF8 ? back : 0;
            }
            // a continuation byte: look further back for its lead
        }
        return 0; // no lead within reach: invalid, the decoding replaces it
    }

    private void ensureCapacity(int chars) {
        if (out.capacity() < chars) {
            out = CharBuffer.allocate(Math.max(chars, out.capacity() * 2));
        }
    }
}
