package io.execstream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser against the WHATWG rules, so the client, the adapters and the end-to-end tests can trust it. */
class SseParserTest {
    /** What the listener saw, in order; a comment as a {@code Comment}, the end as an {@code End}. */
    private record Comment(String text) {
    }

    private record End(boolean discardedPartialEvent) {
    }

    private static SseParser.Listener collect(List<Object> items) {
        return new SseParser.Listener() {
            @Override
            public void onEvent(SseEvent event) {
                items.add(event);
            }

            @Override
            public void onComment(String text) {
                items.add(new Comment(text));
            }
        };
    }

    private static List<Object> parse(byte[] bytes, int chunk) {
        List<Object> items = new ArrayList<>();
        SseParser parser = new SseParser(collect(items));
        for (int i = 0; i < bytes.length; i += chunk) {
            parser.feed(bytes, i, Math.min(chunk, bytes.length - i));
        }
        items.add(new End(parser.finish()));
        return items;
    }

    private static List<Object> parse(String text) {
        List<Object> one = parse(text.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
        // Byte by byte gives the same result.
        assertEquals(one, parse(text.getBytes(StandardCharsets.UTF_8), 1));
        return one;
    }

    @Test
    void fieldsCommentsAndDispatch() {
        List<Object> items = parse(": connected\n\nretry: 2000\nid: 1\nevent: output\ndata: {\"a\":1}\n\n"
                + "id: 2\ndata:first\ndata: second\n\n: keepalive\n");
        assertEquals(List.of(
                new Comment(" connected"),
                new SseEvent("output", "{\"a\":1}", "1", "1", 2000L),
                new SseEvent("message", "first\nsecond", "2", "2", null),
                new Comment(" keepalive"),
                new End(false)), items);
    }

    @Test
    void lineEndingsCrLfAndCrAndBom() {
        List<Object> items = parse("\uFEFFdata: a\r\n\r\ndata: b\r\rdata: c\n\n");
        assertEquals(List.of(new SseEvent("message", "a", null, "", null), new SseEvent("message", "b", null, "", null),
                new SseEvent("message", "c", null, "", null), new End(false)), items);
    }

    @Test
    void idPersistsAndEmptyDataIsNoEvent() {
        List<Object> items = parse("id: 7\n\ndata\n\nevent: x\n\ndata: y\n\n");
        SseEvent empty = (SseEvent) items.get(0);
        assertEquals("", empty.data());
        assertNull(empty.idField());
        assertEquals("7", empty.lastEventId());
        SseEvent y = (SseEvent) items.get(1);
        assertEquals("message", y.type(), "an event type without data is dropped with it");
        assertEquals("7", y.lastEventId());
    }

    @Test
    void badRetryAndIdWithNulAreIgnored() {
        List<Object> items = parse("retry: 2s\nid: a\u0000b\ndata: x\n\n");
        SseEvent e = (SseEvent) items.get(0);
        assertNull(e.retry());
        assertNull(e.idField());
    }

    @Test
    void unterminatedEventIsDiscarded() {
        List<Object> items = parse("data: a\n\ndata: b\n");
        assertEquals(List.of(new SseEvent("message", "a", null, "", null), new End(true)), items);
    }

    @Test
    void malformedUtf8IsCountedAndReplaced() {
        List<Object> items = new ArrayList<>();
        SseParser parser = new SseParser(collect(items));
        byte[] bytes = {'d', 'a', 't', 'a', ':', ' ', (byte) 0xC3, '\n', '\n'};
        parser.feed(bytes, 0, bytes.length);
        assertEquals(1, parser.malformedLines());
        assertEquals("\uFFFD", ((SseEvent) items.get(0)).data());
        // A multi-byte character split across feeds is not malformed.
        items.clear();
        SseParser p2 = new SseParser(collect(items));
        byte[] e = "data: é€𝄞\n\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < e.length; i++) {
            p2.feed(e, i, 1);
        }
        assertEquals(0, p2.malformedLines());
        assertEquals("é€𝄞", ((SseEvent) items.get(0)).data());
    }

    @Test
    void aReconnectingParserStartsFromItsLastEventId() {
        List<Object> items = new ArrayList<>();
        SseParser parser = new SseParser(collect(items), "41");
        byte[] bytes = "data: x\n\n".getBytes(StandardCharsets.UTF_8);
        parser.feed(bytes, 0, bytes.length);
        assertEquals("41", ((SseEvent) items.get(0)).lastEventId());
        assertEquals("41", parser.lastEventId());
    }
}
