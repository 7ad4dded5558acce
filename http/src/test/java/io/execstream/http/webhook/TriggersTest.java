package io.execstream.http.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.execstream.domain.Interaction;
import io.execstream.domain.PermissionRequest;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.SessionState.Activity;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.StreamChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which changes of a stream are a moment for a webhook, and which are not. */
class TriggersTest {
    private static final Instant NOW = Instant.parse("2026-12-06T01:00:00Z");

    private final Triggers triggers = new Triggers();
    private final List<String> fired = new ArrayList<>();

    private void tell(StreamInfo stream) {
        Optional<Trigger> t = triggers.of(new StreamChange(stream, "title"));
        fired.add(t.map(Trigger::wireName).orElse("-"));
    }

    private static PermissionRequest request(String id) {
        return new PermissionRequest(id, "Bash", "{}", null, NOW.plusSeconds(300));
    }

    @Test
    void aCommandFiresOnlyAtItsEnd() {
        StreamInfo started = StreamInfo.started(StreamId.random(), ProjectId.of("demo"), NOW);
        tell(started);
        tell(started.finish(new StreamEvent.Done(3, 10, StreamStatus.EXITED, null), "2"));
        assertEquals(List.of("-", "done"), fired);
    }

    @Test
    void aSessionFiresForEachNewRequestAndEachTimeItGoesIdleAfterWorking() {
        StreamInfo s = StreamInfo.started(StreamId.random(), ProjectId.of("demo"), NOW, Interaction.SESSION);
        tell(s);                                                                                   // working
        tell(s.withSession(new SessionState(Activity.AWAITING_PERMISSION, 0, null, List.of(request("p1")))));
        tell(s.withSession(new SessionState(Activity.AWAITING_PERMISSION, 0, null, List.of(request("p1"), request("p2")))));
        tell(s.withSession(new SessionState(Activity.AWAITING_PERMISSION, 0, null, List.of(request("p2")))));  // p1 settled
        tell(s.withSession(new SessionState(Activity.WORKING, 0, null)));
        tell(s.withSession(new SessionState(Activity.IDLE, 1, 0.25)));
        tell(s.withSession(new SessionState(Activity.IDLE, 1, 0.5)));                               // the cost only
        tell(s.withSession(new SessionState(Activity.WORKING, 1, 0.5)));
        tell(s.withSession(new SessionState(Activity.IDLE, 2, 0.75)));
        tell(s.withSession(new SessionState(Activity.IDLE, 2, 0.75))
                .finish(new StreamEvent.Done(0, 10, StreamStatus.EXITED, null), "9"));
        assertEquals(List.of("-", "permission", "permission", "-", "-", "idle", "-", "-", "idle", "done"), fired);
    }
}
