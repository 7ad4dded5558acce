package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.core.AnswerPermission;
import io.execstream.core.SendInput;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.ExecStreamException;
import io.execstream.domain.PermissionDecision;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bodies of the start routes' new fields and of the routes that talk to running streams. */
class RequestBodiesTest {
    private static final ProjectId PROJECT = ProjectId.of("p");
    private static final StreamId STREAM = StreamId.random();

    @Test
    void aCommandKeepsItsStdinOpenOnlyWhenAsked() {
        assertTrue(RequestBodies.commandSpec(json("{\"command\":[\"cat\"],\"stdin\":true}")).stdin());
        assertFalse(RequestBodies.commandSpec(json("{\"command\":[\"cat\"]}")).stdin());
        assertFalse(RequestBodies.commandSpec(json("{\"command\":[\"cat\"],\"stdin\":null}")).stdin());
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.commandSpec(json("{\"command\":[\"cat\"],\"stdin\":1}")));
    }

    @Test
    void anAgentRunIsALiveSessionOnlyWhenAskedWithItsIdleTimeout() {
        AgentPrompt live = RequestBodies.agentPrompt(json("{\"prompt\":\"hi\",\"interactive\":true,\"idle_timeout_ms\":5000}"));
        assertTrue(live.interactive());
        assertEquals(Optional.of(Duration.ofSeconds(5)), live.idleTimeout());
        AgentPrompt once = RequestBodies.agentPrompt(json("{\"prompt\":\"hi\"}"));
        assertFalse(once.interactive());
        assertEquals(AgentPrompt.DEFAULT_IDLE_TIMEOUT, RequestBodies.agentPrompt(
                json("{\"prompt\":\"hi\",\"interactive\":true}")).idleTimeoutOrDefault());
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.agentPrompt(json("{\"prompt\":\"hi\",\"interactive\":\"true\"}")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.agentPrompt(json("{\"prompt\":\"hi\",\"idle_timeout_ms\":5000}")));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> RequestBodies.agentPrompt(
                json("{\"prompt\":\"hi\",\"interactive\":true,\"idle_timeout_ms\":1.5}")));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> RequestBodies.agentPrompt(
                json("{\"prompt\":\"hi\",\"interactive\":true,\"idle_timeout_ms\":86400001}")));
    }

    @Test
    void inputTakesDataEndOfFileAndEchoAndNothingElse() {
        SendInput input = RequestBodies.input(PROJECT, STREAM, json("{\"data\":\"yes\\n\"}"));
        assertEquals("yes\n", input.data());
        assertFalse(input.eof());
        assertTrue(input.echo());
        SendInput last = RequestBodies.input(PROJECT, STREAM, json("{\"eof\":true,\"echo\":false}"));
        assertEquals("", last.data());
        assertTrue(last.eof());
        assertFalse(last.echo());
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.input(PROJECT, STREAM, json("{}")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.input(PROJECT, STREAM, json("{\"data\":\"x\",\"text\":\"y\"}")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.input(PROJECT, STREAM, json("{\"data\":[\"x\"]}")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.input(PROJECT, STREAM, json("{\"data\":\"x\",\"echo\":0}")));
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> RequestBodies.input(PROJECT, STREAM,
                json("{\"data\":\"" + "é".repeat(SendInput.MAX_DATA_BYTES / 2 + 1) + "\"}")));
    }

    @Test
    void aMessageTakesAPromptAndNothingElse() {
        assertEquals("go on", RequestBodies.message(PROJECT, STREAM, json("{\"prompt\":\"go on\"}")).prompt());
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> RequestBodies.message(PROJECT, STREAM, json("{}")));
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> RequestBodies.message(PROJECT, STREAM, json("{\"prompt\":\" \"}")));
        assertCode(ErrorCode.PROMPT_REQUIRED, () -> RequestBodies.message(PROJECT, STREAM, json("{\"prompt\":7}")));
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.message(PROJECT, STREAM, json("{\"prompt\":\"a\",\"turn\":2}")));
    }

    @Test
    void anAnswerTakesADecisionOtherInputForAnAllowAndAMessageForADeny() {
        AnswerPermission allow = RequestBodies.answer(PROJECT, STREAM, "p1", json("{\"decision\":\"allow\"}"), "alice");
        assertEquals(new AnswerPermission(PROJECT, STREAM, "p1", PermissionDecision.allow(), "alice"), allow);
        AnswerPermission other = RequestBodies.answer(PROJECT, STREAM, "p1",
                json("{\"decision\":\"allow\",\"updated_input\":{\"command\":\"ls\\n-a\",\"n\": 1}}"), "alice");
        assertEquals("{\"command\":\"ls\\n-a\",\"n\":1}", other.decision().updatedInputJson(), "compact, on one line");
        AnswerPermission deny = RequestBodies.answer(PROJECT, STREAM, "p2",
                json("{\"decision\":\"deny\",\"message\":\"no\"}"), "bob");
        assertEquals(PermissionDecision.deny("no"), deny.decision());
        for (String bad : List.of("{}", "{\"decision\":null}", "{\"decision\":\"yes\"}", "{\"decision\":1}",
                "{\"decision\":\"allow\",\"why\":1}", "{\"decision\":\"allow\",\"updated_input\":[]}",
                "{\"decision\":\"deny\",\"updated_input\":{}}", "{\"decision\":\"allow\",\"message\":\"ok\"}",
                "{\"decision\":\"deny\",\"message\":3}")) {
            assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.answer(PROJECT, STREAM, "p1", json(bad), "alice"));
        }
        assertCode(ErrorCode.INVALID_REQUEST,
                () -> RequestBodies.answer(PROJECT, STREAM, "p 1", json("{\"decision\":\"allow\"}"), "alice"));
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> RequestBodies.answer(PROJECT, STREAM, "p1",
                json("{\"decision\":\"deny\",\"message\":\"" + "é".repeat(2001) + "\"}"), "alice"));
    }

    @Test
    void approvalsComeWithTheirTimeout() {
        AgentPrompt asking = RequestBodies.agentPrompt(
                json("{\"prompt\":\"hi\",\"interactive\":true,\"approvals\":true,\"approval_timeout_ms\":60000}"));
        assertTrue(asking.approvals());
        assertEquals(Duration.ofMinutes(1), asking.approvalTimeoutOrDefault());
        assertFalse(RequestBodies.agentPrompt(json("{\"prompt\":\"hi\",\"interactive\":true}")).approvals());
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.agentPrompt(json("{\"prompt\":\"hi\",\"approvals\":true}")));
        assertCode(ErrorCode.INVALID_TIMEOUT, () -> RequestBodies.agentPrompt(
                json("{\"prompt\":\"hi\",\"interactive\":true,\"approvals\":true,\"approval_timeout_ms\":\"1m\"}")));
    }

    @Test
    void aBodilessRequestTakesAnEmptyBodyOrAnEmptyObject() {
        RequestBodies.noFields(stream(""), 100);
        RequestBodies.noFields(stream(" \n"), 100);
        RequestBodies.noFields(stream("{}"), 100);
        ExecStreamException e = assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.noFields(stream("{\"now\":true}"), 100));
        assertTrue(e.getMessage().contains("takes no fields"), e.getMessage());
        assertCode(ErrorCode.INVALID_REQUEST, () -> RequestBodies.noFields(stream("[]"), 100));
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> RequestBodies.noFields(stream("{" + " ".repeat(200) + "}"), 100));
    }

    private static JsonNode json(String body) {
        return RequestBodies.readObject(stream(body), 4L << 20);
    }

    private static ByteArrayInputStream stream(String body) {
        return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
    }

    private static ExecStreamException assertCode(ErrorCode code, Runnable call) {
        ExecStreamException e = assertThrows(ExecStreamException.class, call::run);
        assertEquals(code, e.code(), e::getMessage);
        return e;
    }
}
