package io.execstream.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTest {

    @Test
    void countsTheUtf8SizeAsTheEncoderDoes() {
        for (String text : List.of("", "plain", "é", "€uro", "😀 emoji", "mixed é€😀\n", "\u007f\u0080\u07ff\u0800")) {
            assertEquals(text.getBytes(StandardCharsets.UTF_8).length, StreamEvent.Output.stdout(text).utf8Bytes(), text);
        }
    }

    @Test
    void aKnownSizeIsTakenAsGiven() {
        StreamEvent.Output given = new StreamEvent.Output(OutputType.STDERR, "é\n", 3);
        assertEquals(3, given.utf8Bytes());
        assertEquals(StreamEvent.Output.stderr("é\n"), given, "the same event as one counted here");
    }

    @Test
    void aSizeNoTextOfThatLengthCanHaveIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StreamEvent.Output(OutputType.STDOUT, "abc", 2));
        assertThrows(IllegalArgumentException.class, () -> new StreamEvent.Output(OutputType.STDOUT, "abc", 10));
        assertThrows(IllegalArgumentException.class, () -> new StreamEvent.Output(OutputType.STDOUT, "", 1));
        assertThrows(NullPointerException.class, () -> new StreamEvent.Output(OutputType.STDOUT, null));
    }

    @Test
    void outputMadeFromValidBytesKeepsThemAndDecodesOnlyWhenAsked() {
        byte[] bytes = "plain é € 😀\n".getBytes(StandardCharsets.UTF_8);
        StreamEvent.Output output = StreamEvent.Output.ofUtf8(OutputType.STDOUT, bytes);
        assertEquals(bytes.length, output.utf8Bytes());
        ByteBuffer view = output.utf8();
        assertTrue(view.isReadOnly());
        assertEquals(ByteBuffer.wrap(bytes), view);
        assertEquals("plain é € 😀\n", output.content());
        assertEquals(StreamEvent.Output.stdout("plain é € 😀\n"), output, "equal to the same text given as a String");
        assertEquals(StreamEvent.Output.stdout("plain é € 😀\n").hashCode(), output.hashCode());
        assertNotEquals(StreamEvent.Output.stderr("plain é € 😀\n"), output);
    }

    @Test
    void invalidBytesAreReplacedAsTheJdkDecoderReplacesThem() {
        List<byte[]> invalid = List.of(
                new byte[] {'a', (byte) 0xff, 'b'},                         // never a UTF-8 byte
                new byte[] {(byte) 0xc0, (byte) 0x80},                      // overlong NUL
                new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0x80},         // overlong
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},         // a surrogate
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
                new byte[] {'x', (byte) 0xe2, (byte) 0x82},                 // cut short at the end
                new byte[] {(byte) 0xe2, 'y', (byte) 0x82, (byte) 0xac},    // cut short in the middle
                new byte[] {(byte) 0x80, 'z'});                             // a lone continuation
        for (byte[] bytes : invalid) {
            String expected = new String(bytes, StandardCharsets.UTF_8);
            StreamEvent.Output output = StreamEvent.Output.ofUtf8(OutputType.STDOUT, bytes.clone());
            assertEquals(expected, output.content());
            assertEquals(ByteBuffer.wrap(expected.getBytes(StandardCharsets.UTF_8)), output.utf8());
            assertEquals(expected.getBytes(StandardCharsets.UTF_8).length, output.utf8Bytes());
        }
    }

    @Test
    void validityAgreesWithTheJdkOnEveryOneAndTwoByteSequenceAndOnLongText() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                byte[] bytes = {(byte) a, (byte) b};
                assertEquals(java.util.Arrays.equals(bytes, new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)),
                        Utf8.isValid(bytes), () -> java.util.Arrays.toString(bytes));
            }
        }
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            if (random.nextBoolean()) {
                for (int k = 0; k < bytes.length; k++) {
                    bytes[k] &= 0x7f;
                }
                if (bytes.length > 0) {
                    bytes[random.nextInt(bytes.length)] = (byte) (0xe2 + random.nextInt(20));
                }
            }
            assertEquals(java.util.Arrays.equals(bytes, new String(bytes, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)),
                    Utf8.isValid(bytes), () -> java.util.Arrays.toString(bytes));
        }
        String text = "ascii ".repeat(100) + "é€😀" + "more ascii ".repeat(100);
        assertTrue(Utf8.isValid(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void outputGivenAsTextIsEncodedOnce() {
        StreamEvent.Output output = StreamEvent.Output.stdout("héllo");
        assertEquals(ByteBuffer.wrap("héllo".getBytes(StandardCharsets.UTF_8)), output.utf8());
        assertEquals(output.utf8(), output.utf8());
    }

    @Test
    void outputMadeFromARangeOfAnArrayIsThatRangeAlone() {
        byte[] before = "earlier event\n".getBytes(StandardCharsets.UTF_8);
        byte[] text = "plain é € 😀\n".getBytes(StandardCharsets.UTF_8);
        byte[] shared = new byte[before.length + text.length + 5];
        System.arraycopy(before, 0, shared, 0, before.length);
        System.arraycopy(text, 0, shared, before.length, text.length);
        // Bytes after the range that are not valid UTF-8 on their own, as the start of a later event can be.
        shared[shared.length - 5] = (byte) 0xe2;
        StreamEvent.Output output = StreamEvent.Output.ofUtf8(OutputType.STDOUT, shared, before.length, text.length, null);
        assertEquals(text.length, output.utf8Bytes());
        ByteBuffer view = output.utf8();
        assertTrue(view.isReadOnly());
        assertEquals(0, view.position());
        assertEquals(ByteBuffer.wrap(text), view);
        assertEquals(text.length, view.capacity(), "nothing outside the range can be read through it");
        assertEquals("plain é € 😀\n", output.content());
        assertEquals(StreamEvent.Output.stdout("plain é € 😀\n"), output);

        // An invalid range is replaced in an array of its own, the rest of the array untouched.
        byte[] invalid = {'a', 'b', (byte) 0xff, 'c', 'd'};
        StreamEvent.Output replaced = StreamEvent.Output.ofUtf8(OutputType.STDERR, invalid, 1, 3, null);
        assertEquals("b\uFFFDc", replaced.content());
        assertEquals(ByteBuffer.wrap("b\uFFFDc".getBytes(StandardCharsets.UTF_8)), replaced.utf8());
        assertEquals('a', invalid[0]);

        assertThrows(IndexOutOfBoundsException.class, () -> StreamEvent.Output.ofUtf8(OutputType.STDOUT, text, 2, text.length, null));
        assertThrows(IndexOutOfBoundsException.class, () -> StreamEvent.Output.ofUtf8(OutputType.STDOUT, text, -1, 1, null));
    }
}
