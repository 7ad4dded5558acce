package io.execstream.core;

import java.nio.ByteBuffer;
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
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** The start of a character whose remaining bytes have not come yet (at most 3 bytes). */
    private final ByteBuffer carry = ByteBuffer.allocate(8);
    private CharBuffer out = CharBuffer.allocate(1024);

    /** The text of {@code bytes} (consumed), with any held-back bytes before them. */
    String decode(ByteBuffer bytes) {
        return decode(bytes, false);
    }

    /** Whatever is held back, now decoded as the end of the input (an incomplete char is U+FFFD). */
    String finish() {
        return decode(ByteBuffer.allocate(0), true);
    }

    private String decode(ByteBuffer bytes, boolean end) {
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

    private void ensureCapacity(int chars) {
        if (out.capacity() < chars) {
            out = CharBuffer.allocate(Math.max(chars, out.capacity() * 2));
        }
    }
}
