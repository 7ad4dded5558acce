package io.execstream.adapters.opencode;

import io.execstream.domain.ProjectId;
import io.execstream.ports.RunningSession;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the live-session tests against {@link StandInOpenCode} share: a fresh stand-in and an
 * agent on it before each test; after it, the session a test left running is terminated and the
 * stand-in closed.
 */
abstract class StandInSessionFixture {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ProjectId PROJECT = ProjectId.of("demo");

    StandInOpenCode opencode;
    OpenCodeAgent agent;
    AgentRecorder run;
    RunningSession session;

    @BeforeEach
    void startStandIn() {
        opencode = StandInOpenCode.start();
        agent = OpenCodeAgent.builder().url(opencode.url()).abortGrace(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stopStandIn() {
        if (session != null) {
            session.terminate();
        }
        opencode.close();
    }
}
