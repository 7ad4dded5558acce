package io.execstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.core.StreamQueries;
import io.execstream.domain.ProjectId;
import io.execstream.domain.RequestRefusedException;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.ports.StreamChange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ProjectEvents} on outputs of its own: what a connection begins with, which resumes it
 * honours, that a project's changes reach only its connections, that a console that stops reading
 * is dropped as too slow, and what a console token opens.
 */
class ProjectEventsTest {
    private static final ProjectId P = ProjectId.of("alpha");
    private static final ProjectId OTHER = ProjectId.of("beta");
    private static final Pattern IDS = Pattern.compile("\nid: ([^\n]+)\n");
    private static final StreamTokens TOKENS = StreamTokens.random(Duration.ofHours(1));

    private final List<StreamInfo> listed = new ArrayList<>();
    private final StreamQueries queries = new StreamQueries() {
        @Override
        public StreamInfo status(ProjectId project, StreamId stream) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<StreamInfo> list(ProjectId project, int limit) {
            return List.copyOf(listed);
        }
    };
    private final ConsoleTokens consoles = new ConsoleTokens(TOKENS);
    private final ProjectEvents events = new ProjectEvents(queries, new Access(ApiKeys.single("k-0123456789abcdef"), TOKENS),
            consoles, Duration.ofMinutes(1), Duration.ofMinutes(1), EventStreamListener.NONE);

    @AfterEach
    void close() {
        events.close();
    }

    /** An output that takes everything, or, once {@code full}, nothing. */
    private static final class Output implements SseOutput {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean full;
        boolean aborted;
        boolean finished;

        @Override
        public synchronized boolean canWrite() {
            return !full;
        }

        @Override
        public void whenWritable(Runnable onWritable) {
        }

        @Override
        public synchronized void write(byte[] frame) {
            bytes.writeBytes(frame);
        }

        @Override
        public void flush() {
        }

        @Override
        public synchronized void finish() {
            finished = true;
        }

        @Override
        public synchronized void abort() {
            aborted = true;
        }

        @Override
        public void onClose(Runnable onClose) {
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        List<String> ids() {
            List<String> ids = new ArrayList<>();
            Matcher m = IDS.matcher(text());
            while (m.find()) {
                ids.add(m.group(1));
            }
            return ids;
        }
    }

    private static StreamChange change(ProjectId project, String title) {
        return new StreamChange(StreamInfo.started(StreamId.random(), project, Instant.parse("2026-01-02T03:04:05Z")), title);
    }

    private Output open(String lastEventId) {
        Output out = new Output();
        events.open(new ProjectEvents.Open(P, lastEventId, false), out, new Links(TOKENS));
        return out;
    }

    @Test
    void aSnapshotThenTheProjectsChangesOnly() {
        StreamChange before = change(P, "echo before");
        events.onChange(before);
        listed.add(before.stream());
        Output out = open(null);
        events.onChange(change(OTHER, "elsewhere"));
        events.onChange(change(P, "after"));
        String text = out.text();
        assertTrue(text.startsWith(": connected\n\nretry: 2000\nevent: snapshot\n"), text);
        assertTrue(text.contains("\"title\":\"echo before\""), "a title this node saw: " + text);
        assertFalse(text.contains("elsewhere"), text);
        assertTrue(text.contains("event: stream\ndata: {") && text.contains("\"title\":\"after\""), text);
        assertEquals(2, out.ids().size());
    }

    @Test
    void aResumeGetsTheChangesAfterItsIdOrAFreshSnapshotOnceTheyAreNoLongerHeld() {
        Output first = open(null);
        events.onChange(change(P, "one"));
        events.onChange(change(P, "two"));
        List<String> ids = first.ids();
        Output resumed = open(ids.get(1));
        assertFalse(resumed.text().contains("snapshot"), resumed.text());
        assertTrue(resumed.text().contains("\"title\":\"two\"") && !resumed.text().contains("\"title\":\"one\""), resumed.text());
        assertEquals(ids.get(2), resumed.ids().get(0));

        for (int i = 0; i < ProjectEvents.HELD_PER_PROJECT; i++) {
            events.onChange(change(P, "more " + i));
        }
        Output justHeld = open(ids.get(2));
        assertFalse(justHeld.text().contains("snapshot"), "every change after it is still held");
        Output late = open(ids.get(1));
        assertTrue(late.text().contains("event: snapshot") && late.text().contains("\"reason\":"), late.text());
        Output caughtUp = open(late.ids().get(0));
        assertFalse(caughtUp.text().contains("event:"), "nothing new since the snapshot: " + caughtUp.text());
    }

    @Test
    void aConsoleThatStopsReadingIsDroppedAsTooSlow() {
        Output out = open(null);
        out.full = true;
        String title = "x".repeat(StreamChange.MAX_TITLE);
        for (int i = 0; i < 20_000 && !out.aborted; i++) {
            events.onChange(change(P, title));
        }
        assertTrue(out.aborted, "dropped once more than its bound waits");
        assertEquals(0, events.size());
    }

    @Test
    void aConsoleTokenOpensOnlyItsProject() {
        String token = consoles.issue(P);
        assertEquals(P, events.authorize("alpha", null, token));
        RequestRefusedException other = assertThrows(RequestRefusedException.class, () -> events.authorize("beta", null, token));
        assertEquals(401, other.code().status());
        StreamId stream = StreamId.random();
        assertEquals(StreamTokens.Verdict.INVALID, TOKENS.check(P, stream, token), "no stream's token");
        assertThrows(RequestRefusedException.class, () -> events.authorize("alpha", null, TOKENS.issue(P, stream)));
        assertThrows(RequestRefusedException.class, () -> events.authorize("alpha", null, null));
    }
}
