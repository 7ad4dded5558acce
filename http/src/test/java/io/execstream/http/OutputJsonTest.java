package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.execstream.domain.StreamEvent;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written output encoder must say exactly what a JSON library would. */
class OutputJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void encodesLikeAJsonLibrary() throws Exception {
        for (String content : new String[] {"", "hello\n", "q\"b\\s/\t\r\n\b\f\u0000\u001f\u007f", "é€𝄞 ü",
                "x".repeat(70_000), "\uFFFD", "\u0001".repeat(20_001), "ab\"".repeat(7_001)}) {
            StreamEvent.Output output = StreamEvent.Output.stderr(content);
            byte[] ours = OutputJson.encode(output);
            assertEquals(content, JSON.readTree(ours).path("content").asText());
            assertEquals("stderr", JSON.readTree(ours).path("type").asText());
            if (content.codePoints().allMatch(Character::isBmpCodePoint)) {
                // Jackson writes characters beyond the BMP as \\u escapes of their surrogates; we
                // write their UTF-8, which is as valid and shorter. Elsewhere the bytes must agree.
                assertEquals(new String(JSON.writeValueAsBytes(JSON.createObjectNode().put("type", "stderr").put("content", content)), StandardCharsets.UTF_8), new String(ours, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void randomTextRoundTrips() throws Exception {
        Random random = new Random(42);
        for (int run = 0; run < 500; run++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(300); i > 0; i--) {
                text.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x20) : 0x20 + random.nextInt(0x2FFFF));
            }
            String content = new String(text.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            assertEquals(content, JSON.readTree(OutputJson.encode(StreamEvent.Output.stdout(content))).path("content").asText());
        }
    }

    @Test
    void plainRunsAndEveryCharacterNearTheEscapeBoundariesMatchAJsonLibrary() throws Exception {
        // Mostly plain text, so that the eight-bytes-at-a-time path runs, with the characters
        // around each boundary of the escape test dropped in at random places.
        char[] edges = {0x00, 0x0A, 0x1F, 0x20, 0x21, '"', 0x23, 0x5B, '\\', 0x5D, 0x7E, 0x7F, 0xE9};
        Random random = new Random(7);
        for (int run = 0; run < 2000; run++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(200); i > 0; i--) {
                text.append(random.nextInt(12) == 0 ? edges[random.nextInt(edges.length)] : (char) ('a' + random.nextInt(26)));
            }
            String content = text.toString();
            byte[] expected = JSON.writeValueAsBytes(JSON.createObjectNode().put("type", "stdout").put("content", content));
            assertEquals(new String(expected, StandardCharsets.UTF_8),
                    new String(OutputJson.encode(StreamEvent.Output.stdout(content)), StandardCharsets.UTF_8), content);
        }
    }
}
