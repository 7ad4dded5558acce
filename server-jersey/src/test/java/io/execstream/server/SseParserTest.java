package io.execstream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.server.SseTestClient.Comment;
import io.execstream.server.SseTestClient.End;
import io.execstream.server.SseTestClient.Event;
import io.execstream.server.SseTestClient.Item;
import io.execstream.server.SseTestClient.Parser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test client's parser against the WHATWG rules, so the end-to-end tests can trust it. */
class SseParserTest {
    private static List<Item> parse(byte[] bytes, int chunk) {
        List<Item> items = new ArrayList<>();
        Parser parser = new Parser(items::add);
        for (int i = 0; i < bytes.length; i += chunk) {
            parser.feed(bytes, i, Math.min(chunk, bytes.length - i));
        }
        items.add(parser.finish());
        return items;
    }

    private static List<Item> parse(String text) {
        List<Item> one = parse(text.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
        // Byte by byte gives the same result.
        assertEquals(one, parse(text.getBytes(StandardCharsets.UTF_8), 1));
        return one;
    }

    @Test
    void fieldsCommentsAndDispatch() {
        List<Item> items = parse(": connected\n\nretry: 2000\nid: 1\nevent: output\ndata: {\"a\":1}\n\n"
                + "id: 2\ndata:first\ndata: second\n\n: keepalive\n");
        assertEquals(List.of(
                new Comment(" connected"),
                new Event("output", "{\"a\":1}", "1", "1", 2000L),
                new Event("message", "first\nsecond", "2", "2", null),
                new Comment(" keepalive"),
                new End(false)), items);
    }

    @Test
    void lineEndingsCrLfAndCrAndBom() {
        List<Item> items = parse("\uFEFFdata: a\r\n\r\ndata: b\r\rdata: c\n\n");
        assertEquals(List.of(new Event("message", "a", null, "", null), new Event("message", "b", null, "", null),
                new Event("message", "c", null, "", null), new End(false)), items);
    }

    @Test
    void idPersistsAndEmptyDataIsNoEvent() {
        List<Item> items = parse("id: 7\n\ndata\n\nevent: x\n\ndata: y\n\n");
        Event empty = (Event) items.get(0);
        assertEquals("", empty.data());
        assertNull(empty.idField());
        assertEquals("7", empty.lastEventId());
        Event y = (Event) items.get(1);
        assertEquals("message", y.type(), "an event type without data is dropped with it");
        assertEquals("7", y.lastEventId());
    }

    @Test
    void badRetryAndIdWithNulAreIgnored() {
        List<Item> items = parse("retry: 2s\nid: a\u0000b\ndata: x\n\n");
        Event e = (Event) items.get(0);
        assertNull(e.retry());
        assertNull(e.idField());
    }

    @Test
    void unterminatedEventIsDiscarded() {
        List<Item> items = parse("data: a\n\ndata: b\n");
        assertEquals(List.of(new Event("message", "a", null, "", null), new End(true)), items);
    }

    @Test
    void malformedUtf8IsCountedAndReplaced() {
        List<Item> items = new ArrayList<>();
        Parser parser = new Parser(items::add);
        byte[] bytes = {'d', 'a', 't', 'a', ':', ' ', (byte) 0xC3, '\n', '\n'};
        parser.feed(bytes, 0, bytes.length);
        assertEquals(1, parser.malformedLines());
        assertEquals("\uFFFD", ((Event) items.get(0)).data());
        // A multi-byte character split across feeds is not malformed.
        items.clear();
        Parser p2 = new Parser(items::add);
        byte[] e = "data: é€𝄞\n\n".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < e.length; i++) {
            p2.feed(e, i, 1);
        }
        assertEquals(0, p2.malformedLines());
        assertEquals("é€𝄞", ((Event) items.get(0)).data());
        assertFalse(SseTestClient.hasLoneSurrogate("é€𝄞"));
        assertTrue(SseTestClient.hasLoneSurrogate("a\uD834"));
    }
}
