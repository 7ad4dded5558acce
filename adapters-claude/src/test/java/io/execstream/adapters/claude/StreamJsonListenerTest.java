package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentResult;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamJsonListenerTest {

    private static final String INIT = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s-1\","
            + "\"tools\":[\"Bash\",\"Edit\"],\"model\":\"claude-sonnet-4-5\"}";
    private static final String ASSISTANT = "{\"type\":\"assistant\",\"message\":{\"content\":["
            + "{\"type\":\"text\",\"text\":\"café — ☕ 🚀 𝄞 \\\"q\\\"\\nnext\"},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{\"command\":\"ls\"}}]},"
            + "\"session_id\":\"s-1\"}";
    private static final String USER = "{\"type\":\"user\",\"message\":{\"content\":[{\"type\":\"tool_result\","
            + "\"tool_use_id\":\"toolu_1\",\"content\":\"ü\",\"is_error\":false}]},\"session_id\":\"s-1\"}";
    private static final String USAGE = "{\"input_tokens\":3,\"output_tokens\":5,\"service_tier\":\"standard\"}";
    private static final String RESULT = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,"
            + "\"duration_ms\":10,\"num_turns\":2,\"result\":\"ok ✅\",\"session_id\":\"s-1\","
            + "\"total_cost_usd\":0.0123,\"usage\":" + USAGE + "}";
    /** The stream as the CLI writes it; the result line has no final newline. */
    private static final byte[] STREAM = utf8(INIT + "\n" + ASSISTANT + "\r\n\n" + USER + "\n" + RESULT);
    private static final List<String> EVENTS = List.of(INIT, ASSISTANT, USER, RESULT);
    private static final AgentResult EXPECTED_RESULT = new AgentResult("s-1", false, "success", 2, 0.0123, USAGE, 0.0123);

    @Test
    void oneChunk() {
        RecordingAgentListener listener = run(List.of(STREAM), 1 << 20);
        assertEquals(EVENTS, listener.events());
        assertEquals(EXPECTED_RESULT, listener.result());
        assertEquals(4, listener.eventsBeforeResult(), "the result comes after its event");
        assertArrayEquals(STREAM, listener.bytes(OutputType.STDOUT));
        assertEquals(List.of("s-1"), listener.sessions(), "the session, once, from the init line on");
    }

    @Test
    void theSessionIsNamedFromTheFirstLineThatCarriesOneAndAgainWhenItChanges() {
        String noSession = "{\"type\":\"system\",\"subtype\":\"hook\"}";
        String emptySession = "{\"type\":\"system\",\"session_id\":\"\"}";
        String otherSession = USER.replace("\"s-1\"", "\"s-2\"");
        RecordingAgentListener cancelled = run(List.of(utf8(noSession + "\n" + emptySession + "\n" + INIT + "\n"
                + ASSISTANT + "\n")), 1 << 20);
        assertEquals(List.of("s-1"), cancelled.sessions(), "what a run stopped before its result still names");
        assertNull(cancelled.result());

        RecordingAgentListener changed = run(List.of(utf8(INIT + "\n" + otherSession + "\n")), 1 << 20);
        assertEquals(List.of("s-1", "s-2"), changed.sessions());
    }

    @Test
    void everySplitPointIncludingInsideUtf8Characters() {
        for (int split = 0; split <= STREAM.length; split++) {
            RecordingAgentListener listener = run(List.of(slice(STREAM, 0, split), slice(STREAM, split, STREAM.length)),
                    1 << 20);
            assertEquals(EVENTS, listener.events(), "split at " + split);
            assertEquals(EXPECTED_RESULT, listener.result(), "split at " + split);
            assertArrayEquals(STREAM, listener.bytes(OutputType.STDOUT), "split at " + split);
        }
    }

    @Test
    void oneByteAtATimeFromDirectBuffersWithAnOffset() {
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = new StreamJsonListener(downstream, 1 << 20);
        ByteBuffer buffer = ByteBuffer.allocateDirect(16);
        for (byte b : STREAM) {
            // The runner may reuse its buffer and hand over a window of it.
            buffer.clear();
            buffer.put(new byte[] {'{', '\n', b, '\n', '}'});
            buffer.position(2).limit(3);
            listener.onOutput(OutputType.STDOUT, buffer);
            assertEquals(2, buffer.position(), "the caller's buffer is not consumed");
            assertEquals(3, buffer.limit());
        }
        listener.onExit(new CommandExit.Exited(0));
        downstream.assertAgentContractKept();
        assertEquals(EVENTS, downstream.events());
        assertEquals(EXPECTED_RESULT, downstream.result());
        assertArrayEquals(STREAM, downstream.bytes(OutputType.STDOUT));
    }

    @Test
    void randomChunks() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<byte[]> chunks = new ArrayList<>();
            int at = 0;
            while (at < STREAM.length) {
                int size = Math.min(STREAM.length - at, 1 + random.nextInt(40));
                chunks.add(slice(STREAM, at, at + size));
                at += size;
            }
            RecordingAgentListener listener = run(chunks, 1 << 20);
            assertEquals(EVENTS, listener.events(), "round " + round);
            assertEquals(EXPECTED_RESULT, listener.result(), "round " + round);
        }
    }

    @Test
    void eventsAreCompactOneLineAndKeepNumbersAsWritten() {
        String spaced = " { \"type\" : \"assistant\" ,\t\"n\" : [ 1.50 , 0.0 , -0 , 1e3 , 12345678901234567890123 ,"
                + " 0.1 , 1.7976931348623157E309 ] , \"s\" : \"a\\nb\\u0001\\u2028\\/\" } \r";
        RecordingAgentListener listener = run(List.of(utf8(spaced + "\n")), 1 << 20);
        assertEquals(List.of("{\"type\":\"assistant\",\"n\":[1.50,0.0,0,1E+3,12345678901234567890123,0.1,"
                + "1.7976931348623157E+309],\"s\":\"a\\nb\\u0001\u2028/\"}"), listener.events());
        assertNull(listener.result());
    }

    @Test
    void linesThatAreNotJsonObjectsBecomeUnparsedEventsAndLaterLinesStillCount() {
        String[] bad = {
            "{\"type\":\"assistant\",\"message\":", // cut off
            "not json",
            "{\"a\":1} trailing",
            "{\"a\":1}{\"b\":2}",
            "{\"s\":\"raw\ttab\"}",
            "{\"a\":1,}",
        };
        String[] notObjects = {"[1,2]", "\"text\"", "42", "null", "true"};
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        stream.writeBytes(utf8(INIT + "\n"));
        expected.add(INIT);
        for (String line : bad) {
            stream.writeBytes(utf8(line + "\n"));
            expected.add(unparsed(utf8(line).length, "invalid_json"));
        }
        for (String line : notObjects) {
            stream.writeBytes(utf8(line + "\n"));
            expected.add(unparsed(utf8(line).length, "not_an_object"));
        }
        byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        stream.writeBytes(invalidUtf8);
        stream.write('\n');
        expected.add(unparsed(invalidUtf8.length, "invalid_json"));
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
        stream.writeBytes(utf8(deep + "\n"));
        expected.add(unparsed(deep.length(), "invalid_json"));
        stream.writeBytes(utf8("  \t \r\n\n" + USER + "\n" + RESULT + "\n"));
        expected.add(USER);
        expected.add(RESULT);

        StreamJsonListener[] inner = new StreamJsonListener[1];
        RecordingAgentListener listener = run(List.of(stream.toByteArray()), 1 << 20, inner);
        assertEquals(expected, listener.events());
        assertEquals(EXPECTED_RESULT, listener.result());
        assertEquals(bad.length + notObjects.length + 2, inner[0].unparsedLines());
        assertArrayEquals(stream.toByteArray(), listener.bytes(OutputType.STDOUT));
    }

    @Test
    void aLineLongerThanTheLimitIsDroppedAndTheNextOneParsed() {
        int max = 256;
        String prefix = "{\"type\":\"assistant\",\"text\":\"";
        String atLimit = prefix + "x".repeat(max - prefix.length() - 2) + "\"}";
        assertEquals(max, utf8(atLimit).length);
        String overLimit = prefix + "é".repeat(200) + "\"}";
        String finalOverLimit = "{\"type\":\"result\",\"subtype\":\"success\",\"text\":\"" + "y".repeat(300) + "\"}";
        byte[] stream = utf8(INIT + "\n" + atLimit + "\n" + overLimit + "\n" + USER + "\n" + finalOverLimit);
        List<String> expected = List.of(INIT, atLimit, unparsed(utf8(overLimit).length, "too_long"), USER,
                unparsed(utf8(finalOverLimit).length, "too_long"));
        for (int chunk : new int[] {1, 7, 100, 300, stream.length}) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < stream.length; at += chunk) {
                chunks.add(slice(stream, at, Math.min(stream.length, at + chunk)));
            }
            StreamJsonListener[] inner = new StreamJsonListener[1];
            RecordingAgentListener listener = run(chunks, max, inner);
            assertEquals(expected, listener.events(), "chunks of " + chunk);
            assertNull(listener.result(), "a dropped result line is no result");
            assertEquals(2, inner[0].unparsedLines());
            assertArrayEquals(stream, listener.bytes(OutputType.STDOUT), "the raw output still carries it");
        }
    }

    @Test
    void onlyTheFirstResultCounts() {
        String second = "{\"type\":\"result\",\"subtype\":\"error_during_execution\",\"is_error\":true}";
        RecordingAgentListener listener = run(List.of(utf8(RESULT + "\n" + second + "\n")), 1 << 20);
        assertEquals(List.of(RESULT, second), listener.events());
        assertEquals(EXPECTED_RESULT, listener.result());
        assertEquals(1, listener.resultCalls());
    }

    @Test
    void missingOrMistypedResultFieldsAreNull() {
        RecordingAgentListener bare = run(List.of(utf8("{\"type\":\"result\"}\n")), 1 << 20);
        assertEquals(new AgentResult(null, true, "unknown", null, null, null), bare.result());

        RecordingAgentListener odd = run(List.of(utf8("{\"type\":\"result\",\"subtype\":\"success\",\"session_id\":7,"
                + "\"num_turns\":\"3\",\"total_cost_usd\":\"free\",\"usage\":[1]}\n")), 1 << 20);
        assertEquals(new AgentResult(null, false, "success", null, null, null), odd.result());

        RecordingAgentListener huge = run(List.of(utf8("{\"type\":\"result\",\"subtype\":\"error_max_turns\","
                + "\"num_turns\":99999999999,\"total_cost_usd\":1e999,\"is_error\":false}\n")), 1 << 20);
        assertEquals(new AgentResult(null, false, "error_max_turns", null, null, null), huge.result());

        RecordingAgentListener notAResult = run(List.of(utf8("{\"type\":{\"x\":\"result\"}}\n{\"subtype\":\"result\"}\n")),
                1 << 20);
        assertNull(notAResult.result());
        assertEquals(2, notAResult.events().size());
    }

    @Test
    void stderrIsPassedThroughAndNotParsed() {
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = new StreamJsonListener(downstream, 1 << 20);
        listener.onOutput(OutputType.STDERR, ByteBuffer.wrap(utf8(RESULT + "\n")));
        listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(INIT)));
        listener.onOutput(OutputType.STDERR, ByteBuffer.wrap(utf8("\n")));
        listener.onExit(new CommandExit.Exited(3));
        downstream.assertAgentContractKept();
        assertEquals(List.of(INIT), downstream.events());
        assertNull(downstream.result());
        assertEquals(RESULT + "\n\n", downstream.stderr());
        assertEquals(new CommandExit.Exited(3), downstream.exit());
    }

    @Test
    void theExitIsPassedOnAsIs() {
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = new StreamJsonListener(downstream, 1 << 20);
        CommandExit failed = new CommandExit.FailedToStart("pod not found");
        listener.onExit(failed);
        assertSame(failed, downstream.exit());
        assertEquals(List.of(), downstream.events());
    }

    @Test
    void aThrowingListenerPropagatesToTheRunnerAndStillGetsOneExit() {
        RecordingAgentListener downstream = new RecordingAgentListener() {
            @Override
            public synchronized void onAgentEvent(String json) {
                super.onAgentEvent(json);
                if (json.contains("\"assistant\"")) {
                    throw new IllegalStateException("subscriber gone");
                }
            }
        };
        StreamJsonListener listener = new StreamJsonListener(downstream, 1 << 20);
        byte[] chunk = utf8(INIT + "\n" + ASSISTANT + "\n" + USER + "\n" + "{\"type\":\"result\"");
        assertThrows(IllegalStateException.class, () -> listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(chunk)));
        listener.onExit(new CommandExit.Exited(143));
        downstream.assertAgentContractKept();
        assertEquals(List.of(INIT, ASSISTANT), downstream.events(), "nothing is parsed after the throw");
        assertNull(downstream.result());
        assertEquals(new CommandExit.Exited(143), downstream.exit());
    }

    @Test
    void aListenerThrowingOnTheLastLineStillGetsItsExit() {
        RecordingAgentListener downstream = new RecordingAgentListener() {
            @Override
            public synchronized void onResult(AgentResult result) {
                super.onResult(result);
                throw new IllegalStateException("boom");
            }
        };
        StreamJsonListener listener = new StreamJsonListener(downstream, 1 << 20);
        listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(RESULT)));
        assertThrows(IllegalStateException.class, () -> listener.onExit(new CommandExit.Exited(0)));
        assertEquals(new CommandExit.Exited(0), downstream.exit());
        assertEquals(EXPECTED_RESULT, downstream.result());
    }

    @Test
    void aThrowingOutputCallStopsParsing() {
        RecordingAgentListener downstream = new RecordingAgentListener() {
            @Override
            protected void afterOutput(OutputType type, byte[] bytes) {
                super.afterOutput(type, bytes);
                throw new IllegalStateException("boom");
            }
        };
        StreamJsonListener listener = new StreamJsonListener(downstream, 1 << 20);
        assertThrows(IllegalStateException.class,
                () -> listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(INIT + "\n" + USER))));
        listener.onExit(new CommandExit.Exited(0));
        assertEquals(List.of(), downstream.events(), "no event for output the listener did not take");
        assertEquals(new CommandExit.Exited(0), downstream.exit());
    }

    private static RecordingAgentListener run(List<byte[]> chunks, int maxLineBytes) {
        return run(chunks, maxLineBytes, new StreamJsonListener[1]);
    }

    private static RecordingAgentListener run(List<byte[]> chunks, int maxLineBytes, StreamJsonListener[] inner) {
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = new StreamJsonListener(downstream, maxLineBytes);
        inner[0] = listener;
        for (byte[] chunk : chunks) {
            listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(chunk));
        }
        listener.onExit(new CommandExit.Exited(0));
        downstream.assertAgentContractKept();
        assertTrue(downstream.exit() instanceof CommandExit.Exited);
        return downstream;
    }

    static String unparsed(long bytes, String reason) {
        return "{\"type\":\"execstream\",\"subtype\":\"unparsed_line\",\"bytes\":" + bytes + ",\"reason\":\"" + reason + "\"}";
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        byte[] slice = new byte[to - from];
        System.arraycopy(bytes, from, slice, 0, slice.length);
        return slice;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
