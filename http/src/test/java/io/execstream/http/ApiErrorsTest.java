package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.InvalidInputException;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamNotFoundException;
import io.execstream.domain.TooManyRunningException;
import io.execstream.domain.UnavailableException;
import io.execstream.domain.UnknownProviderException;
import io.execstream.domain.UnsupportedByProviderException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every member of the error family gets its code's answer; request bodies hand options on untouched. */
class ApiErrorsTest {

    private static void assertAnswer(int status, String code, Throwable e) {
        ApiError error = ApiErrors.known(e).orElseThrow();
        assertEquals(status, error.status());
        assertEquals(code, error.code());
        assertEquals(e.getMessage(), error.message());
    }

    @Test
    void eachRefusalIsAnsweredWithItsCodeAndStatus() {
        assertAnswer(400, "invalid_timeout", new InvalidInputException(ErrorCode.INVALID_TIMEOUT, "t"));
        assertAnswer(404, "not_found", new StreamNotFoundException(StreamId.random()));
        assertAnswer(404, "not_found", new UnknownProviderException("codex"));
        assertAnswer(400, "unsupported_by_provider", new UnsupportedByProviderException("no resume"));
        assertAnswer(503, "unavailable", new UnavailableException("closing"));
        assertAnswer(401, "unauthorized", RequestRefusedException.unauthorized("key"));
        assertAnswer(413, "payload_too_large", RequestRefusedException.payloadTooLarge(10));
        assertAnswer(429, "too_many_requests", new TooManyRunningException(2));
        assertEquals(Map.of("Retry-After", "1"), ApiErrors.of(new TooManyRunningException(2)).headers());
        assertEquals(Map.of(), ApiErrors.of(new UnavailableException("closing")).headers());
    }

    @Test
    void anythingElseIsInternalAndAContainersStatusGetsItsGeneralCode() {
        assertEquals(Optional.empty(), ApiErrors.known(new IllegalStateException("bug")));
        assertEquals("internal_error", ApiErrors.of(new IllegalStateException("bug")).code());
        assertEquals("invalid_request", ApiErrors.forStatus(400, "bad").code());
        assertEquals("not_found", ApiErrors.forStatus(404, null).code());
        assertEquals("unsupported_media_type", ApiErrors.forStatus(415, null).code());
        assertEquals("invalid_request", ApiErrors.forStatus(431, "headers").code());
        assertEquals(431, ApiErrors.forStatus(431, "headers").status());
        assertEquals("internal_error", ApiErrors.forStatus(502, null).code());
    }

    @Test
    void anAliasTakesTheFieldsItsAgentDeclaresAsOptionsAndTheGenericRouteNone() throws Exception {
        JsonNode body = ApiJson.MAPPER.readTree("{\"prompt\":\"go\",\"model\":\"m1\",\"max_turns\":7,"
                + "\"allowed_tools\":[\"Edit\"],\"permission_mode\":null,\"huge\":123456789012345678901234567890}");
        AgentPrompt prompt = RequestBodies.agentPrompt(body, Set.of("max_turns", "allowed_tools", "permission_mode", "huge"));
        assertEquals(Optional.of("m1"), prompt.model());
        assertEquals(Map.of("max_turns", 7, "allowed_tools", List.of("Edit"),
                "huge", new BigInteger("123456789012345678901234567890")), prompt.options());

        InvalidInputException unknown = assertThrows(InvalidInputException.class,
                () -> RequestBodies.agentPrompt(ApiJson.MAPPER.readTree("{\"prompt\":\"go\",\"max_turns\":7}")));
        assertEquals("unknown field 'max_turns'; expected approval_timeout_ms, approvals, idle_timeout_ms, interactive, model, prompt, session_id, timeout_ms, webhook_url",
                unknown.getMessage());
        InvalidInputException tooLong = assertThrows(InvalidInputException.class, () -> RequestBodies.agentPrompt(
                ApiJson.MAPPER.createObjectNode().put("prompt", "p".repeat(RequestBodies.MAX_PROMPT_BYTES + 1))));
        assertEquals(ErrorCode.INVALID_REQUEST, tooLong.code());
        assertTrue(RequestBodies.agentPrompt(ApiJson.MAPPER.createObjectNode().put("prompt", "p".repeat(RequestBodies.MAX_PROMPT_BYTES)))
                .options().isEmpty());
    }
}
