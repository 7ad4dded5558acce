package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.execstream.domain.OutputType;
import io.execstream.domain.StreamEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8CarryTest {
    private final Utf8Carry carry = new Utf8Carry();
    private final List<byte[]> pieces = new ArrayList<>();

    private void split(byte[] bytes, int from, int to) {
        carry.split(bytes, from, to, (array, f, t) -> pieces.add(Arrays.copyOfRange(array, f, t)));
    }

    private String text() {
        carry.finish((array, f, t) -> pieces.add(Arrays.copyOfRange(array, f, t)));
        return String.join("", pieces.stream().map(p -> StreamEvent.Output.ofUtf8(OutputType.STDOUT, p).content()).toList());
    }

    @Test
    void aCharacterSplitAcrossReadsIsNeverBroken() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        split(euro, 0, 1);
        split(euro, 1, 2);
        assertEquals(0, pieces.size(), "nothing whole yet");
        split(euro, 2, 3);
        assertEquals(List.of("€"), pieces.stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList());
    }

    @Test
    void wholeTextIsPassedOnWhereItLies() {
        byte[] read = "plain\n".getBytes(StandardCharsets.UTF_8);
        byte[][] seen = new byte[1][];
        carry.split(read, 0, read.length, (array, from, to) -> seen[0] = array);
        assertSame(read, seen[0], "no copy");
    }

    @Test
    void anIncompleteCharacterAtTheEndBecomesOneReplacement() {
        byte[] bytes = {'a', (byte) 0xe2, (byte) 0x82};
        split(bytes, 0, bytes.length);
        assertEquals("a\uFFFD", text());
    }

    @Test
    void aBrokenSequenceFollowedByTextKeepsTheText() {
        byte[] bytes = {(byte) 0xe2, (byte) 0x82, 'o', 'k'};
        split(bytes, 0, 2);
        split(bytes, 2, 4);
        assertEquals(new String(bytes, StandardCharsets.UTF_8), text());
    }

    @Test
    void anyBytesInAnyChunksComeOutAsTheWholeWouldDecode() {
        Random random = new Random(11);
        for (int round = 0; round < 300; round++) {
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            String[] parts = {"a", "é", "€", "𝄞", "\n"};
            for (int i = random.nextInt(200); i > 0; i--) {
                if (random.nextInt(10) == 0) {
                    whole.write(random.nextInt(256)); // sometimes a stray byte
                } else {
                    whole.writeBytes(parts[random.nextInt(parts.length)].getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] bytes = whole.toByteArray();
            pieces.clear();
            int from = 0;
            while (from < bytes.length) {
                int to = Math.min(bytes.length, from + 1 + random.nextInt(8));
                split(bytes, from, to);
                from = to;
            }
            assertEquals(new String(bytes, StandardCharsets.UTF_8), text(), () -> Arrays.toString(bytes));
        }
    }
}
