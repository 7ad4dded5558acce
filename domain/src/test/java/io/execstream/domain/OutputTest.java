package io.execstream.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
