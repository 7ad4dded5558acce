package io.execstream.adapters.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentResult;
import io.execstream.domain.AgentTurn;
import io.execstream.domain.OutputType;
import io.execstream.ports.CommandExit;
import io.execstream.ports.PermissionAsk;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A live session's stdout, as the real CLI 2.1.332 writes it (trimmed): each {@code result} ends
 * a turn, its {@code total_cost_usd} is cumulative for the process (and, on {@code --resume}, for
 * the session), and {@code model_usage_since_last_result} holds the turn's own share.
 */
class StreamJsonSessionTest {

    private static final String SESSION = "4b2b81da-eb39-4f02-aca1-aee109f89722";
    private static final String INIT = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"" + SESSION + "\"}";
    private static final String USAGE = "{\"input_tokens\":100,\"output_tokens\":20,\"service_tier\":\"standard\"}";
    private static final String CONTROL = "{\"type\":\"control_response\",\"response\":{\"subtype\":\"success\","
            + "\"request_id\":\"interrupt-1\",\"response\":{\"still_queued\":[]}}}";

    @Test
    void eachResultEndsATurnWithItsOwnCostAndTheTotalsComeAtTheEnd() {
        List<String> lines = List.of(INIT,
                result("success", false, "0.0008", "0.0008", 182),
                INIT,
                CONTROL,
                result("error_during_execution", true, "0.0016", "0.0008", 299),
                INIT,
                result("success", false, "0.0024000000000000002", "0.0008", 44));
        RecordingAgentListener listener = session(lines, false);

        assertEquals(List.of(
                new AgentTurn(1, "success", false, 0.0008, 0.0008, USAGE, 182L),
                new AgentTurn(2, "error_during_execution", true, 0.0008, 0.0016, USAGE, 299L),
                new AgentTurn(3, "success", false, 0.0008, 0.0024, USAGE, 44L)), listener.turns());
        assertEquals(new AgentResult(SESSION, false, "success", 3, 0.0024,
                "{\"input_tokens\":300,\"output_tokens\":60}", 0.0024000000000000002), listener.result());
        assertEquals(lines, listener.events(), "every line is an event, as written");
        assertEquals(List.of(2, 5, 7), listener.eventsBeforeTurn(), "each turn after its result line");
        assertEquals(List.of(SESSION), listener.sessions());
    }

    /** A request for permission as the CLI 2.1.332 wrote it (paths shortened). */
    static final String CAN_USE_TOOL = "{\"type\":\"control_request\",\"request_id\":\"2fc3cc1c-453d-471a-8163-998c5f8f89b0\","
            + "\"request\":{\"subtype\":\"can_use_tool\",\"tool_name\":\"Bash\",\"display_name\":\"Bash\",\"input\":"
            + "{\"command\":\"touch /tmp/x/marker\",\"description\":\"Run a command\"},\"description\":\"Run a command\","
            + "\"permission_suggestions\":[{\"type\":\"addRules\",\"rules\":[{\"toolName\":\"Bash\",\"ruleContent\":"
            + "\"touch /tmp/x/marker\"}],\"behavior\":\"allow\",\"destination\":\"localSettings\"}],"
            + "\"blocked_path\":\"/tmp/x/marker\",\"tool_use_id\":\"toolu_fake_8efeccff\"}}";
    /** One with a reason, as the CLI 2.1.332 wrote it for a command it cannot check. */
    static final String WITH_REASON = "{\"type\":\"control_request\",\"request_id\":\"d4b37d2a-9feb-41c3-a191-a711c0e6e18e\","
            + "\"request\":{\"subtype\":\"can_use_tool\",\"tool_name\":\"Bash\",\"display_name\":\"Bash\",\"input\":"
            + "{\"command\":\"echo $(whoami) > x\",\"description\":\"Run a command\",\"timeout\":1.50},"
            + "\"description\":\"Run a command\",\"permission_suggestions\":[],"
            + "\"decision_reason\":\"A nested command in this command can't be checked before it runs\","
            + "\"decision_reason_type\":\"other\",\"tool_use_id\":\"toolu_fake_6a7c03b9\"}}";

    @Test
    void requestsForPermissionAndTheirWithdrawalsGoDownstreamAfterTheirEvents() {
        String cancel = "{\"type\":\"control_cancel_request\",\"request_id\":\"d4b37d2a-9feb-41c3-a191-a711c0e6e18e\"}";
        String strayCancel = "{\"type\":\"control_cancel_request\",\"request_id\":\"never-asked\"}";
        List<String> lines = List.of(INIT, CAN_USE_TOOL, WITH_REASON, cancel, cancel, strayCancel, CONTROL,
                result("success", false, "0.0016", "0.0016", 300));
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = StreamJsonListener.session(downstream, 1 << 20, false, new ClaudeSession(true));
        listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(String.join("\n", lines) + "\n")));
        listener.onExit(new CommandExit.Exited(0));
        downstream.assertAgentContractKept();

        assertEquals(lines, downstream.events(), "every line is an event, as written, the requests too");
        assertEquals(List.of(
                new PermissionAsk("2fc3cc1c-453d-471a-8163-998c5f8f89b0", "Bash",
                        "{\"command\":\"touch /tmp/x/marker\",\"description\":\"Run a command\"}", null),
                new PermissionAsk("d4b37d2a-9feb-41c3-a191-a711c0e6e18e", "Bash",
                        "{\"command\":\"echo $(whoami) > x\",\"description\":\"Run a command\",\"timeout\":1.50}",
                        "A nested command in this command can't be checked before it runs")), downstream.asks());
        assertEquals(List.of(2, 3), downstream.eventsBeforeAsk(), "each after its own line");
        assertEquals(List.of("d4b37d2a-9feb-41c3-a191-a711c0e6e18e"), downstream.withdrawn(),
                "once, and only for a request that waits");
        assertEquals(List.of(4), downstream.eventsBeforeWithdrawal());
        assertEquals(1, downstream.turns().size());
    }

    @Test
    void aSessionWithoutApprovalsPassesNoRequestOn() {
        RecordingAgentListener listener = session(List.of(INIT, CAN_USE_TOOL,
                "{\"type\":\"control_cancel_request\",\"request_id\":\"2fc3cc1c-453d-471a-8163-998c5f8f89b0\"}"), false);
        assertEquals(3, listener.events().size());
        assertEquals(List.of(), listener.asks());
        assertEquals(List.of(), listener.withdrawn());
    }

    @Test
    void aResumedSessionCostsWhatItsTurnsDidAndItsSessionFigureIsTheClis() {
        RecordingAgentListener listener = session(List.of(INIT,
                result("success", false, "0.0024", "0.0008", 10),
                result("success", false, "0.0032", "0.0008", 10)), true);
        assertEquals(0.0008, listener.turns().get(0).costUsd());
        assertEquals(0.0016, listener.turns().get(1).runCostUsd());
        assertEquals(0.0016, listener.result().totalCostUsd());
        assertEquals(0.0032, listener.result().sessionCostUsd());
    }

    @Test
    void withoutTheTurnsShareTheCumulativeFigureTells() {
        // A CLI that does not write model_usage_since_last_result: the growth of total_cost_usd.
        RecordingAgentListener fresh = session(List.of(result("success", false, "0.5", null, 1),
                result("success", false, "0.75", null, 1)), false);
        assertEquals(0.5, fresh.turns().get(0).costUsd());
        assertEquals(0.25, fresh.turns().get(1).costUsd());
        assertEquals(0.75, fresh.result().totalCostUsd());
        assertEquals(0.75, fresh.result().sessionCostUsd());

        // Resumed, the first figure includes the earlier runs: that turn's own cost is unknown.
        RecordingAgentListener resumed = session(List.of(result("success", false, "0.5", null, 1),
                result("success", false, "0.75", null, 1)), true);
        assertNull(resumed.turns().get(0).costUsd());
        assertEquals(0.25, resumed.turns().get(1).costUsd());
        assertNull(resumed.turns().get(1).runCostUsd());
        assertNull(resumed.result().totalCostUsd());
        assertEquals(0.75, resumed.result().sessionCostUsd());
    }

    @Test
    void severalModelsShareOfATurnAddUp() {
        String line = "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"session_id\":\"" + SESSION + "\","
                + "\"total_cost_usd\":0.0031,\"model_usage_since_last_result\":{\"claude-opus-5-5\":{\"costUSD\":0.003},"
                + "\"claude-haiku-4-5\":{\"costUSD\":0.0001},\"odd\":{\"costUSD\":\"free\"}}}";
        RecordingAgentListener listener = session(List.of(line), false);
        assertEquals(0.0031, listener.turns().get(0).costUsd());
        assertNull(listener.turns().get(0).usageJson());
        assertNull(listener.result().usageJson(), "no usage reported, none summed");
    }

    @Test
    void aSessionThatEndsBeforeAnyTurnHasNoResultButItsEndIsStillTold() {
        AtomicBoolean ended = new AtomicBoolean();
        RecordingAgentListener downstream = new RecordingAgentListener() {
            @Override
            public void onExit(CommandExit exit) {
                assertTrue(ended.get(), "the session hears of the end before onExit goes on");
                super.onExit(exit);
            }
        };
        StreamJsonListener listener = StreamJsonListener.session(downstream, 1 << 20, false, () -> { }, () -> ended.set(true));
        listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(INIT + "\n")));
        listener.onExit(new CommandExit.Exited(143));
        downstream.assertAgentContractKept();
        assertNull(downstream.result());
        assertEquals(List.of(), downstream.turns());
        assertEquals(new CommandExit.Exited(143), downstream.exit());
    }

    @Test
    void aOneShotResumedRunCostsItsOwnShare() {
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = StreamJsonListener.oneShot(downstream, 1 << 20, true);
        listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(INIT + "\n" + result("success", false, "0.0016", "0.0008", 5))));
        listener.onExit(new CommandExit.Exited(0));
        assertEquals(new AgentResult(SESSION, false, "success", 1, 0.0008, USAGE, 0.0016), downstream.result());
        assertEquals(List.of(), downstream.turns(), "a one-prompt run has no turns");
    }

    @Test
    void compactLinesStayAsWrittenAndSpacedOnesAreCompactedAsJavaScriptWould() {
        String compact = "{\"type\":\"assistant\",\"text\":\"\\u001b[1m \\u00e9 \\/ é\",\"cost\":3e-7,\"big\":1e+21,\"n\":1.50}";
        String spaced = "{ \"type\" : \"assistant\", \"text\" : \"\\u001B[1m\" }";
        RecordingAgentListener listener = session(List.of(compact, spaced), false);
        assertEquals(List.of(compact, "{\"type\":\"assistant\",\"text\":\"\\u001b[1m\"}"), listener.events());
    }

    private static RecordingAgentListener session(List<String> lines, boolean resumed) {
        RecordingAgentListener downstream = new RecordingAgentListener();
        StreamJsonListener listener = StreamJsonListener.session(downstream, 1 << 20, resumed, () -> { }, () -> { });
        listener.onOutput(OutputType.STDOUT, ByteBuffer.wrap(utf8(String.join("\n", lines) + "\n")));
        listener.onExit(new CommandExit.Exited(0));
        downstream.assertAgentContractKept();
        return downstream;
    }

    private static String result(String subtype, boolean isError, String total, String since, long durationMs) {
        return "{\"type\":\"result\",\"subtype\":\"" + subtype + "\",\"is_error\":" + isError + ",\"duration_ms\":" + durationMs
                + ",\"num_turns\":1,\"session_id\":\"" + SESSION + "\",\"total_cost_usd\":" + total + ",\"usage\":" + USAGE
                + (since == null ? "" : ",\"model_usage_since_last_result\":{\"claude-opus-5-5\":{\"inputTokens\":100,"
                + "\"costUSD\":" + since + "}}") + "}";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
