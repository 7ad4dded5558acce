package io.execstream.adapters.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.PublishedEvent;
import io.execstream.testkit.RecordingSubscriber;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real JVM with SIGKILL while it appends (the one process this test started, by its pid),
 * then checks that every event it acknowledged is readable, unchanged, from a new publisher.
 */
class DiskCrashTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** The content of event number {@code i}: numbered, so that a changed byte shows. */
    static String line(int i) {
        return "line " + i + " " + "x".repeat(i % 200) + "\n";
    }

    @Test
    void everythingAcknowledgedBeforeAKillIsReadableAfterReopening() throws Exception {
        StreamId s = StreamId.random();
        String java = ProcessHandle.current().info().command().orElse("java");
        Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), dir.toString(), s.value())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            String id;
            while (acknowledged < 20_000 && (id = out.readLine()) != null && System.nanoTime() < deadline) {
                acknowledged = Long.parseLong(id);
            }
            // SIGKILL mid-append: the writer is still appending as fast as it can.
            writer.destroyForcibly();
            assertTrue(writer.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the writer did not die");
        } finally {
            writer.destroyForcibly();
        }
        assertTrue(acknowledged >= 20_000, "the writer acknowledged only " + acknowledged);

        try (DiskStreamPublisher p = DiskStreamPublisher.builder().directory(dir).build()) {
            assertEquals(StreamStatus.FAILED, p.find(s).orElseThrow().status());
            RecordingSubscriber r = new RecordingSubscriber();
            p.subscribe(s, null, r);
            r.awaitDone(TIMEOUT);
            List<PublishedEvent> events = r.events();
            assertTrue(events.size() - 1 >= acknowledged, "acknowledged " + acknowledged + ", read " + (events.size() - 1));
            for (int i = 0; i < events.size() - 1; i++) {
                assertEquals(Long.toString(i + 1), events.get(i).id());
                assertEquals(StreamEvent.Output.stdout(line(i)), events.get(i).event(), "event " + (i + 1));
            }
        }
    }
}
