package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ErrorCode;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamNotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which refusal a stream's token gets, and what it says. */
class AccessTest {
    private static final ProjectId PROJECT = ProjectId.of("demo");
    private static final StreamId KNOWN = StreamId.of("0123456789abcdef01234567");
    private static final StreamId GONE = StreamId.of("89abcdef0123456789abcdef");

    /** The streams this server has: only {@link #KNOWN}. */
    private static final StreamQueries STREAMS = new StreamQueries() {
        @Override
        public StreamInfo status(ProjectId project, StreamId stream) {
            if (!project.equals(PROJECT) || !stream.equals(KNOWN)) {
                throw new StreamNotFoundException(stream);
            }
            return StreamInfo.started(stream, project, Instant.EPOCH);
        }

        @Override
        public List<StreamInfo> list(ProjectId project, int limit) {
            return List.of();
        }
    };

    private final StreamTokens ours = StreamTokens.random(Duration.ofHours(1));
    private final StreamTokens earlierStart = StreamTokens.random(Duration.ofHours(1));
    private final Access access = new Access(ApiKeys.single("key-of-the-tests"), ours, STREAMS);

    @Test
    void aTokenOfAnotherStartForAStreamNotHereIsNotFoundAndSaysWhy() {
        RequestRefusedException e = refused(access, GONE, earlierStart.issue(PROJECT, GONE));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("not known to this server") && e.getMessage().contains("restarted"), e.getMessage());
    }

    @Test
    void aTokenOfAnotherSecretForAStreamThatIsHereIsUnauthorizedAndSaysWhy() {
        RequestRefusedException e = refused(access, KNOWN, earlierStart.issue(PROJECT, KNOWN));
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        assertTrue(e.getMessage().contains("another server") && e.getMessage().contains("fresh stream_url"), e.getMessage());
    }

    @Test
    void withoutAWayToLookStreamsUpItIsUnauthorized() {
        Access blind = new Access(ApiKeys.single("key-of-the-tests"), ours);
        RequestRefusedException e = refused(blind, GONE, earlierStart.issue(PROJECT, GONE));
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
    }

    @Test
    void aWrongTokenOfThisSecretIsUnauthorizedEvenForAStreamNotHere() {
        RequestRefusedException e = refused(access, GONE, ours.issue(PROJECT, KNOWN));
        assertEquals(ErrorCode.UNAUTHORIZED, e.code());
        assertTrue(e.getMessage().contains("not valid"), e.getMessage());
        access.authorizeStream(PROJECT.value(), KNOWN.value(), null, ours.issue(PROJECT, KNOWN));
    }

    private static RequestRefusedException refused(Access access, StreamId stream, String token) {
        return assertThrows(RequestRefusedException.class, () -> access.authorizeStream(PROJECT.value(), stream.value(), null, token));
    }
}
