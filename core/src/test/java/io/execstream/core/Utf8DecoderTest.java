package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8DecoderTest {
    private static final String TEXT = "héllo wörld € 𝄞 ok\n";

    @Test
    void aCharacterSplitAcrossReadsIsNeverBroken() {
        byte[] bytes = TEXT.getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= 5; chunk++) {
            Utf8Decoder decoder = new Utf8Decoder();
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < bytes.length; i += chunk) {
                String piece = decoder.decode(ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i)));
                out.append(piece);
                if (!piece.isEmpty()) {
                    assertEquals(false, Character.isHighSurrogate(piece.charAt(piece.length() - 1)),
                            "a piece must not end inside a surrogate pair");
                }
            }
            out.append(decoder.finish());
            assertEquals(TEXT, out.toString(), "chunk size " + chunk);
        }
    }

    @Test
    void invalidBytesBecomeReplacementCharacters() {
        Utf8Decoder decoder = new Utf8Decoder();
        String out = decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xfe, 'o', 'k'})) + decoder.finish();
        assertEquals("\uFFFD\uFFFDok", out);
    }

    @Test
    void anIncompleteCharacterAtTheEndBecomesOneReplacement() {
        Utf8Decoder decoder = new Utf8Decoder();
        String first = decoder.decode(ByteBuffer.wrap(new byte[] {'a', (byte) 0xe2, (byte) 0x82}));
        assertEquals("a", first);
        assertEquals("\uFFFD", decoder.finish());
    }

    @Test
    void aBrokenSequenceFollowedByTextKeepsTheText() {
        Utf8Decoder decoder = new Utf8Decoder();
        String out = decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xe2}))
                + decoder.decode(ByteBuffer.wrap(new byte[] {'x', 'y'}))
                + decoder.finish();
        assertEquals("\uFFFDxy", out);
    }

    @Test
    void decodesLargeReadsWhole() {
        String big = "ä".repeat(100_000);
        Utf8Decoder decoder = new Utf8Decoder();
        assertEquals(big, decoder.decode(ByteBuffer.wrap(big.getBytes(StandardCharsets.UTF_8))) + decoder.finish());
    }

    @Test
    void anyBytesInAnyChunksDecodeAsTheWholeWould() {
        java.util.Random random = new java.util.Random(42);
        byte[] alphabet = "aé€𝄞\n".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                // Mostly pieces of real characters, sometimes any byte at all.
                bytes[i] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            Utf8Decoder decoder = new Utf8Decoder();
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < bytes.length; ) {
                int n = Math.min(1 + random.nextInt(6), bytes.length - i);
                out.append(decoder.decode(ByteBuffer.wrap(bytes, i, n)));
                i += n;
            }
            out.append(decoder.finish());
            assertEquals(new String(bytes, StandardCharsets.UTF_8), out.toString(), () -> java.util.HexFormat.of().formatHex(bytes));
        }
    }

    @Test
    void saysTextIsAsciiOnlyWhenItIs() {
        java.util.Random random = new java.util.Random(7);
        byte[] alphabet = "ab\né€".getBytes(StandardCharsets.UTF_8);
        Utf8Decoder decoder = new Utf8Decoder();
        for (int round = 0; round < 5000; round++) {
            byte[] bytes = new byte[random.nextInt(20)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            String text = decoder.decode(ByteBuffer.wrap(bytes));
            if (decoder.lastAscii()) {
                assertTrue(text.chars().allMatch(c -> c < 0x80), text);
            }
        }
        // And it does say so for ASCII, the common case the shortcut is for, at any length.
        for (int length : new int[] {1, 7, 8, 9, 64, 65_536}) {
            decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xC3}));
            decoder.decode(ByteBuffer.wrap(new byte[] {(byte) 0xA9}));
            assertTrue(!decoder.lastAscii(), "é, completed from a held-back byte");
            assertEquals("a".repeat(length), decoder.decode(ByteBuffer.wrap("a".repeat(length).getBytes(StandardCharsets.UTF_8))));
            assertTrue(decoder.lastAscii(), "ASCII of length " + length);
            byte[] lastHigh = ("a".repeat(length - 1) + "é").getBytes(StandardCharsets.UTF_8);
            decoder.decode(ByteBuffer.wrap(lastHigh));
            assertTrue(!decoder.lastAscii(), "a non-ASCII char at the end of " + length);
        }
    }
}
