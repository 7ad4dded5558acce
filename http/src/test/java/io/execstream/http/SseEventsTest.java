package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.PermissionResolution;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.Gap;
import io.execstream.ports.PublishedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {

    @Test
    void anEventIsFramedOnceForAllItsSubscribers() {
        PublishedEvent event = new PublishedEvent("7", StreamEvent.Output.stdout("hi\n"));
        byte[] frame = SseEvents.of(event);
        assertEquals("event: output\ndata: {\"type\":\"stdout\",\"content\":\"hi\\n\"}\nid: 7\n\n",
                new String(frame, StandardCharsets.UTF_8));
        assertSame(frame, SseEvents.of(event));
    }

    /**
     * Subscribers that are behind ask for events a few apart, in any order: each event is still
     * framed once, and a frame is never another event's.
     */
    @Test
    void eventsAskedForOutOfOrderKeepTheirOwnFrames() {
        List<PublishedEvent> events = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            PublishedEvent event = new PublishedEvent(Integer.toString(100 + i), StreamEvent.Output.stdout("line " + i + "\n"));
            events.add(event);
            frames.add(SseEvents.of(event));
        }
        for (int i = 39; i >= 0; i -= 3) {
            byte[] frame = SseEvents.of(events.get(i));
            assertSame(frames.get(i), frame, "event " + i);
            assertTrue(new String(frame, StandardCharsets.UTF_8).contains("\"line " + i + "\\n\"") && new String(frame, StandardCharsets.UTF_8).endsWith("id: " + (100 + i) + "\n\n"));
        }
    }

    /**
     * A client that takes the id when it reads the field (the npm eventsource package v2) would,
     * after a cut inside an event whose id came first, resume after that event and lose it.
     */
    @Test
    void everyKindOfEventHasItsIdAsItsLastField() {
        assertEquals("event: output\ndata: {\"type\":\"stderr\",\"content\":\"oops\\n\"}\nid: 3\n\n",
                text(SseEvents.of(new PublishedEvent("3", StreamEvent.Output.stderr("oops\n")))));
        assertEquals("event: agent\ndata: {\"type\":\"system\"}\nid: 4\n\n",
                text(SseEvents.of(new PublishedEvent("4", new StreamEvent.Agent("{\"type\":\"system\"}")))));
        assertEquals("event: done\ndata: {\"exit_code\":3,\"duration_ms\":12,\"status\":\"exited\"}\nid: 5\n\n",
                text(SseEvents.of(new PublishedEvent("5", new StreamEvent.Done(3, 12, StreamStatus.EXITED, null)))));
        assertEquals("event: gap\ndata: {\"missed\":7}\nid: 9\n\n", text(SseEvents.gap(new Gap(7, "9"))));
    }

    @Test
    void outputAgentAndDoneCarryTheTimeTheServerReadThem() {
        Instant at = Instant.parse("2026-12-06T01:02:03.456Z");
        assertEquals("event: output\ndata: {\"type\":\"stdout\",\"content\":\"hi \\\"you\\\"\\n\",\"ts\":\"2026-12-06T01:02:03.456Z\"}"
                        + "\nid: 3\n\n",
                text(SseEvents.of(new PublishedEvent("3", new StreamEvent.Output(OutputType.STDOUT, "hi \"you\"\n", at)))));
        assertEquals("event: agent\ndata: {\"type\":\"system\",\"ts\":\"2026-12-06T01:02:03.456Z\"}\nid: 4\n\n",
                text(SseEvents.of(new PublishedEvent("4", new StreamEvent.Agent("{\"type\":\"system\"}", at)))));
        assertEquals("event: agent\ndata: {\"ts\":\"2026-12-06T01:02:03.456Z\"}\nid: 5\n\n",
                text(SseEvents.of(new PublishedEvent("5", new StreamEvent.Agent("{}", at)))), "an empty object");
        assertEquals("event: done\ndata: {\"exit_code\":0,\"duration_ms\":12,\"status\":\"exited\","
                        + "\"ts\":\"2026-12-06T01:02:04.000Z\"}\nid: 6\n\n",
                text(SseEvents.of(new PublishedEvent("6", new StreamEvent.Done(0, 12, StreamStatus.EXITED, null, null,
                        Instant.parse("2026-12-06T01:02:04Z"))))), "milliseconds always, even 000");
    }

    @Test
    void timesAreRfc3339InUtcToTheMillisecondAcrossSeconds() {
        for (String text : List.of("1970-01-01T00:00:00.000Z", "2026-12-06T01:02:03.456Z", "2026-12-06T01:02:03.999Z",
                "2026-12-06T01:02:04.001Z", "2024-02-29T23:59:59.010Z", "9999-12-31T23:59:59.999Z")) {
            assertEquals(text, EventTime.format(Instant.parse(text)));
        }
        assertEquals("2026-12-06T01:02:03.456Z", EventTime.format(Instant.parse("2026-12-06T01:02:03.456789Z")),
                "cut to the millisecond");
    }

    @Test
    void inputMessageAndTurnEventsAreJsonObjectsOnOneLine() {
        assertEquals("event: input\ndata: {\"data\":\"yes\\n\",\"eof\":true}\nid: 6\n\n",
                text(SseEvents.of(new PublishedEvent("6", new StreamEvent.Input("yes\n", true)))));
        assertEquals("event: message\ndata: {\"prompt\":\"and\\nthen?\",\"turn\":2,\"queued\":true}\nid: 7\n\n",
                text(SseEvents.of(new PublishedEvent("7", new StreamEvent.Message("and\nthen?", 2, true)))));
        AgentTurn turn = new AgentTurn(2, "success", false, 0.01, 0.03, "{\"output_tokens\":5}", 1200L);
        assertEquals("event: turn\ndata: {\"turn\":2,\"subtype\":\"success\",\"is_error\":false,\"cost_usd\":0.01,"
                        + "\"run_cost_usd\":0.03,\"usage\":{\"output_tokens\":5},\"duration_ms\":1200}\nid: 8\n\n",
                text(SseEvents.of(new PublishedEvent("8", new StreamEvent.Turn(turn)))));
        // What the agent did not report is left out, not sent as null.
        assertEquals("event: turn\ndata: {\"turn\":3,\"subtype\":\"error_during_execution\",\"is_error\":true}\nid: 9\n\n",
                text(SseEvents.of(new PublishedEvent("9", new StreamEvent.Turn(
                        new AgentTurn(3, "error_during_execution", true, null, null, null, null))))));
    }

    @Test
    void aRequestForPermissionCarriesTheToolsInputAsAnObjectAndItsResolutionWhoDecided() {
        Instant at = Instant.parse("2026-01-02T03:04:05Z");
        assertEquals("event: permission\ndata: {\"request_id\":\"p1\",\"tool_name\":\"Bash\",\"input\":{\"command\":\"ls\"},"
                        + "\"reason\":\"to look\",\"expires_at\":\"2026-01-02T03:04:05Z\"}\nid: 8\n\n",
                text(SseEvents.of(new PublishedEvent("8", new StreamEvent.Permission(
                        new PermissionRequest("p1", "Bash", "{\"command\":\"ls\"}", "to look", at))))));
        assertEquals("event: permission_resolved\ndata: {\"request_id\":\"p1\",\"outcome\":\"denied\",\"decided_by\":\"ops\","
                        + "\"decided_at\":\"2026-01-02T03:04:05Z\",\"message\":\"not\\nnow\"}\nid: 9\n\n",
                text(SseEvents.of(new PublishedEvent("9", new StreamEvent.PermissionResolved(
                        new PermissionResolution("p1", PermissionResolution.Outcome.DENIED, "ops", at, "not\nnow"))))));
        assertEquals("event: permission_resolved\ndata: {\"request_id\":\"p2\",\"outcome\":\"timed_out\","
                        + "\"decided_at\":\"2026-01-02T03:04:05Z\"}\nid: 10\n\n",
                text(SseEvents.of(new PublishedEvent("10", new StreamEvent.PermissionResolved(
                        new PermissionResolution("p2", PermissionResolution.Outcome.TIMED_OUT, null, at, null))))));
    }

    @Test
    void doneGivesTheSessionsCostApartFromTheRuns() {
        AgentResult result = new AgentResult("s1", false, "success", 3, 0.25, null, 1.25);
        assertEquals("event: done\ndata: {\"exit_code\":0,\"duration_ms\":9,\"status\":\"exited\",\"session_id\":\"s1\","
                        + "\"is_error\":false,\"subtype\":\"success\",\"num_turns\":3,\"total_cost_usd\":0.25,"
                        + "\"session_cost_usd\":1.25}\nid: 10\n\n",
                text(SseEvents.of(new PublishedEvent("10", new StreamEvent.Done(0, 9, StreamStatus.EXITED, null, result)))));
    }

    @Test
    void aLongOutputStaysOneDataLineBeforeItsId() {
        String content = "x".repeat(70_000) + "\nline two\r\n";
        String frame = text(SseEvents.of(new PublishedEvent("12", StreamEvent.Output.stdout(content))));
        List<String> lines = frame.lines().toList();
        assertEquals(List.of("event: output", "id: 12"), List.of(lines.get(0), lines.get(2)), frame.substring(0, 40));
        assertEquals(List.of(4, ""), List.of(lines.size(), lines.get(3)), "three fields and the blank line");
        assertTrue(lines.get(1).startsWith("data: {\"type\":\"stdout\""));
        assertTrue(frame.endsWith("\nid: 12\n\n"));
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

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
