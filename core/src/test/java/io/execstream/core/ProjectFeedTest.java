package io.execstream.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.execstream.adapters.memory.InMemoryStreamPublisher;
import io.execstream.domain.AgentPrompt;
import io.execstream.domain.CommandLine;
import io.execstream.domain.CommandSpec;
import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.AgentCapabilities;
import io.execstream.ports.ProjectFeed;
import io.execstream.ports.StreamChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the core tells the project feed: a stream's start with its title (the command line, or the
 * agent's first prompt, cut to 200 characters), and its end with the final status, in order; and
 * that listeners get it through {@link ExecStream#onProjectChange}.
 */
class ProjectFeedTest {
    private static final ProjectId PROJECT = ProjectId.of("demo");

    private final ScriptedRunner runner = new ScriptedRunner();
    private final InMemoryStreamPublisher publisher = new InMemoryStreamPublisher();
    private final FakeAgent agent = new FakeAgent("fake", new AgentCapabilities(true, true, true, List.of()));
    private final ExecStream service = ExecStream.builder(runner, publisher).agent(agent)
            .projectFeed(ProjectFeed.local()).shutdownGrace(Duration.ofMillis(200)).build();
    private final List<StreamChange> changes = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        service.close();
        publisher.close();
    }

    @Test
    void aCommandsStartAndEndWithItsCommandLine() {
        service.onProjectChange(changes::add);
        StreamInfo info = service.start(new StartCommand(PROJECT, CommandSpec.of(CommandLine.Argv.of("make", "test"))));
        runner.awaitStarts(1);
        runner.last().exit(0);
        Waits.until(() -> changes.size() == 2, () -> "changes: " + changes);
        assertEquals(info, changes.get(0).stream());
        assertEquals("make test", changes.get(0).title());
        StreamInfo done = changes.get(1).stream();
        assertEquals(StreamStatus.EXITED, done.status());
        assertEquals(publisher.find(info.id()).orElseThrow(), done, "as the publisher has it");
        assertEquals("make test", changes.get(1).title());
    }

    @Test
    void anAgentsTitleIsItsPromptCutShort() {
        service.onProjectChange(changes::add);
        // The pair at the cut is not split: the title ends before it.
        String prompt = "p".repeat(StreamChange.MAX_TITLE - 1) + "\uD83D\uDE00" + "q".repeat(10);
        service.startAgent(new StartAgent(PROJECT, "fake", AgentPrompt.of(prompt)));
        Waits.until(() -> !changes.isEmpty(), () -> "no change");
        String title = changes.get(0).title();
        assertEquals("p".repeat(StreamChange.MAX_TITLE - 1), title);
        assertNull(new StreamChange(changes.get(0).stream(), null).title());
    }
}
