package io.execstream.adapters.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.Interaction;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisByteHashMap;

/** The fields of entries and metadata: every event survives a round trip, and what older versions wrote still reads. */
class EventCodecTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");

    @Test
    void everyKindOfEventComesBackEqual() {
        List<StreamEvent> events = List.of(
                StreamEvent.Output.stderr("oops\n"),
                new StreamEvent.Output(io.execstream.domain.OutputType.STDOUT, "read at\n", AT),
                new StreamEvent.Agent("{\"type\":\"result\"}"),
                new StreamEvent.Agent("{\"type\":\"result\"}", AT),
                new StreamEvent.Done(1, 9, StreamStatus.EXITED, null, null, AT),
                new StreamEvent.Input("yes\nnö 😀\n", false),
                new StreamEvent.Input("", true),
                new StreamEvent.Message("fix the build", 1, false),
                new StreamEvent.Message("and then the tests", 4, true),
                new StreamEvent.Turn(new AgentTurn(3, "success", false, 0.1 + 0.2, 1.0 / 3, "{\"output_tokens\":7}", 1234L)),
                new StreamEvent.Turn(new AgentTurn(1, "error_during_execution", true, null, null, null, null)),
                new StreamEvent.Permission(new PermissionRequest("p1", "Bash", "{\"command\":\"ls\"}", "why", AT)),
                new StreamEvent.Permission(new PermissionRequest("p2", "Edit", "{}", null, AT)),
                new StreamEvent.PermissionResolved(new PermissionResolution("p1", PermissionResolution.Outcome.ALLOWED,
                        "alice", AT, null)),
                new StreamEvent.PermissionResolved(new PermissionResolution("p2", PermissionResolution.Outcome.TIMED_OUT,
                        null, AT, "no one answered")),
                new StreamEvent.Done(0, 9, StreamStatus.EXITED, null,
                        new AgentResult("s-1", false, "success", 2, 0.25, "{}", 1.75)),
                new StreamEvent.Done(null, 9, StreamStatus.CANCELLED, "stopped",
                        new AgentResult(null, true, "cancelled", null, null, null, null)));
        for (StreamEvent e : events) {
            assertEquals(e, EventCodec.decode(entry(EventCodec.encode(e))), e.toString());
        }
    }

    @Test
    void outputReadAsBytesKeepsItsTextAndItsBytes() {
        byte[] utf8 = "nö 😀\n".getBytes(StandardCharsets.UTF_8);
        StreamEvent.Output read = StreamEvent.Output.ofUtf8(io.execstream.domain.OutputType.STDOUT, utf8.clone(), AT);
        Map<byte[], byte[]> stored = entry(EventCodec.encode(read));
        assertEquals(java.nio.ByteBuffer.wrap(utf8), java.nio.ByteBuffer.wrap(stored.get(bytes("c"))));
        StreamEvent.Output back = (StreamEvent.Output) EventCodec.decode(stored);
        assertEquals(read, back);
        assertEquals(java.nio.ByteBuffer.wrap(utf8), back.utf8());
    }

    @Test
    void storedBytesThatAreNotUtf8AreReplacedAsOutputIs() {
        StreamEvent.Output back = (StreamEvent.Output) EventCodec.decode(entry(List.of(bytes("k"), bytes("o"),
                bytes("t"), bytes("stdout"), bytes("c"), new byte[] {'a', (byte) 0xff, 'b'}, bytes("w"), bytes("3"))));
        assertEquals("a\ufffdb", back.content());
    }

    @Test
    void aDoneWrittenBeforeTheSessionCostExistedHasNone() {
        Map<String, String> old = Map.of("k", "d", "st", "exited", "x", "0", "ms", "5", "as", "s-1", "ae", "0",
                "asub", "success", "an", "1", "ac", "0.5", "w", "64");
        StreamEvent.Done done = (StreamEvent.Done) EventCodec.decode(entry(old));
        assertEquals(new AgentResult("s-1", false, "success", 1, 0.5, null, null), done.agent());
    }

    @Test
    void anEntryWrittenBeforeTimesWereKeptHasNone() {
        StreamEvent.Output output = (StreamEvent.Output) EventCodec.decode(entry(Map.of("k", "o", "t", "stdout", "c", "hi",
                "w", "2")));
        assertNull(output.ts());
        assertNull(((StreamEvent.Done) EventCodec.decode(entry(Map.of("k", "d", "st", "exited", "ms", "5", "w", "64")))).ts());
    }

    @Test
    void anEntryOfAKindThisVersionDoesNotKnowIsSkipped() {
        assertNull(EventCodec.decode(entry(Map.of("k", "z", "w", "64"))));
    }

    @Test
    void metadataWithoutInteractionIsAStreamThatTakesNothing() {
        Map<String, String> old = Map.of("project", "alpha", "status", "running");
        assertEquals(Interaction.NONE, SessionFields.interaction(old));
        assertNull(SessionFields.session(Interaction.NONE, old));
    }

    @Test
    void aSessionsStateComesBackFromItsFields() {
        for (SessionState state : List.of(SessionState.starting(), new SessionState(SessionState.Activity.IDLE, 3, 0.75),
                new SessionState(SessionState.Activity.AWAITING_PERMISSION, 1, null, List.of(
                        new PermissionRequest("p1", "Bash", "{\"a\":\"1:2\"}", "-", AT),
                        new PermissionRequest("p3", "B", "{}", null, AT.plusSeconds(1)))))) {
            Map<String, String> meta = new HashMap<>(fields(SessionFields.ofOpen(Interaction.SESSION, state)));
            meta.values().removeIf(String::isEmpty); // as the scripts store them
            assertEquals(Interaction.SESSION, SessionFields.interaction(meta));
            assertEquals(state, SessionFields.session(Interaction.SESSION, meta));
        }
    }

    /** An entry as Jedis reads it: field/value pairs as bytes, in a map whose keys compare by content. */
    private static Map<byte[], byte[]> entry(List<byte[]> pairs) {
        Map<byte[], byte[]> m = new JedisByteHashMap();
        for (int i = 0; i < pairs.size(); i += 2) {
            m.put(pairs.get(i), pairs.get(i + 1));
        }
        return m;
    }

    private static Map<byte[], byte[]> entry(Map<String, String> fields) {
        Map<byte[], byte[]> m = new JedisByteHashMap();
        fields.forEach((k, v) -> m.put(bytes(k), bytes(v)));
        return m;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> fields(List<String> pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            m.put(pairs.get(i), pairs.get(i + 1));
        }
        return m;
    }
}
