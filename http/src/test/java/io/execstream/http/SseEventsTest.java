package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.execstream.domain.StreamEvent;
import io.execstream.ports.PublishedEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseEventsTest {

    @Test
    void anEventIsFramedOnceForAllItsSubscribers() {
        PublishedEvent event = new PublishedEvent("7", StreamEvent.Output.stdout("hi\n"));
        byte[] frame = SseEvents.of(event);
        assertEquals("id: 7\nevent: output\ndata: {\"type\":\"stdout\",\"content\":\"hi\\n\"}\n\n",
                new String(frame, StandardCharsets.UTF_8));
        assertSame(frame, SseEvents.of(event));
    }

    @Test
    void eventsTakenInTurnEachKeepTheirOwnFrame() {
        PublishedEvent a = new PublishedEvent("1", StreamEvent.Output.stdout("a\n"));
        PublishedEvent b = new PublishedEvent("2", StreamEvent.Output.stderr("b\n"));
        byte[] frameA = SseEvents.of(a);
        byte[] frameB = SseEvents.of(b);
        for (int i = 0; i < 3; i++) {
            assertSame(frameA, SseEvents.of(a));
            assertSame(frameB, SseEvents.of(b));
        }
        // Another instance with the same content is another event to the cache, framed alike.
        PublishedEvent again = new PublishedEvent("1", StreamEvent.Output.stdout("a\n"));
        assertArrayEquals(frameA, SseEvents.of(again));
    }
}
