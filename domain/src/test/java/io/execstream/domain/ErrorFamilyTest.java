package io.execstream.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ErrorFamilyTest {

    @Test
    void everyMemberCarriesTheCodeAClientSees() {
        List<ExecStreamException> members = List.of(
                new InvalidInputException(ErrorCode.INVALID_TIMEOUT, "t"),
                new StreamNotFoundException(StreamId.random()),
                new UnknownProviderException("codex"),
                new UnsupportedByProviderException("no resume"),
                new TooManyRunningException(3),
                new UnavailableException("closing"),
                RequestRefusedException.forbidden("no"));
        assertEquals(List.of(ErrorCode.INVALID_TIMEOUT, ErrorCode.NOT_FOUND, ErrorCode.NOT_FOUND,
                        ErrorCode.UNSUPPORTED_BY_PROVIDER, ErrorCode.TOO_MANY_REQUESTS, ErrorCode.UNAVAILABLE, ErrorCode.FORBIDDEN),
                members.stream().map(ExecStreamException::code).toList());
        assertEquals(Set.of(ExecStreamException.class.getPermittedSubclasses()),
                members.stream().map(Object::getClass).collect(Collectors.toSet()), "one of each member");
    }

    @Test
    void codesAreTheWireNamesAtTheirStatuses() {
        assertEquals("invalid_project_id", ErrorCode.INVALID_PROJECT_ID.wire());
        assertEquals(429, ErrorCode.TOO_MANY_REQUESTS.status());
        assertEquals(503, ErrorCode.UNAVAILABLE.status());
        assertTrue(Arrays.stream(ErrorCode.values()).allMatch(c -> c.status() >= 400 && c.status() < 600));
    }

    @Test
    void eachMemberTakesOnlyCodesThatFitIt() {
        assertThrows(IllegalArgumentException.class, () -> new InvalidInputException(ErrorCode.NOT_FOUND, "x"));
        assertThrows(IllegalArgumentException.class, () -> new RequestRefusedException(ErrorCode.INVALID_REQUEST, "x"));
        assertThrows(IllegalArgumentException.class, () -> new RequestRefusedException(ErrorCode.INTERNAL_ERROR, "x"));
        assertEquals("no agent provider 'a?b' is configured", new UnknownProviderException("a\nb").getMessage());
    }
}
