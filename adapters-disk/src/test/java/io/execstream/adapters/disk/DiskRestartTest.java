package io.execstream.adapters.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.HistoryLimits;
import io.execstream.ports.PublishedEvent;
import io.execstream.testkit.RecordingSubscriber;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A publisher closed, or left as a crash leaves it, and a new one opened on the same directory. */
class DiskRestartTest {
    private static final ProjectId PROJECT = ProjectId.of("alpha");
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private DiskStreamPublisher open() {
        return DiskStreamPublisher.builder().directory(dir).build();
    }

    @Test
    void finishedStreamsAreServedWithTheSameIdsAfterARestart() {
        StreamId s = StreamId.random();
        List<String> ids = new ArrayList<>();
        try (DiskStreamPublisher p = open()) {
            p.open(StreamInfo.started(s, PROJECT, START));
            for (int i = 0; i < 1000; i++) {
                ids.add(p.append(s, StreamEvent.Output.stdout("line " + i + "\n")));
            }
            ids.add(p.complete(s, new StreamEvent.Done(3, 42, StreamStatus.EXITED, null)));
        }
        try (DiskStreamPublisher p = open()) {
            StreamInfo info = p.find(s).orElseThrow();
            assertEquals(StreamStatus.EXITED, info.status());
            assertEquals(3, info.exitCode());
            assertEquals(ids.get(ids.size() - 1), info.doneEventId());
            assertEquals(List.of(s), p.list(PROJECT, 10).stream().map(StreamInfo::id).toList());
            RecordingSubscriber r = new RecordingSubscriber();
            p.subscribe(s, null, r);
            r.awaitDone(TIMEOUT);
            assertEquals(ids, r.events().stream().map(PublishedEvent::id).toList());
            assertEquals("line 999\n", r.outputs().get(999));
            RecordingSubscriber resumed = new RecordingSubscriber();
            p.subscribe(s, ids.get(500), resumed);
            resumed.awaitDone(TIMEOUT);
            assertEquals(ids.subList(501, ids.size()), resumed.events().stream().map(PublishedEvent::id).toList());
        }
    }

    @Test
    void aStreamRunningWhenThePublisherStoppedEndsFailedAndItsIdsGoOn() {
        StreamId s = StreamId.random();
        List<String> ids = new ArrayList<>();
        try (DiskStreamPublisher p = open()) {
            p.open(StreamInfo.started(s, PROJECT, START));
            for (int i = 0; i < 10; i++) {
                ids.add(p.append(s, StreamEvent.Output.stdout("line " + i + "\n")));
            }
        }
        try (DiskStreamPublisher p = open()) {
            StreamInfo info = p.find(s).orElseThrow();
            assertEquals(StreamStatus.FAILED, info.status());
            RecordingSubscriber r = new RecordingSubscriber();
            p.subscribe(s, null, r);
            PublishedEvent done = r.awaitDone(TIMEOUT);
            assertEquals(ids, r.events().subList(0, 10).stream().map(PublishedEvent::id).toList());
            assertTrue(Long.parseLong(done.id()) > Long.parseLong(ids.get(9)), "ids never repeat: " + done.id());
            assertEquals(done.id(), info.doneEventId());
            StreamEvent.Done event = (StreamEvent.Done) done.event();
            assertEquals(StreamStatus.FAILED, event.status());
            assertTrue(event.message().contains("server stopped"), event.message());
            assertThrows(IllegalStateException.class, () -> p.append(s, StreamEvent.Output.stdout("late\n")));
        }
    }

    @Test
    void aTornOrGarbledLastRecordIsDroppedAndTheRestServed() throws IOException {
        StreamId s = StreamId.random();
        List<String> ids = new ArrayList<>();
        try (DiskStreamPublisher p = open()) {
            p.open(StreamInfo.started(s, PROJECT, START));
            for (int i = 0; i < 20; i++) {
                ids.add(p.append(s, StreamEvent.Output.stdout("line " + i + "\n")));
            }
        }
        Path segment = lastSegment(s);
        long size = Files.size(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            // Half of the last record goes, as when a write is cut short.
            ch.truncate(size - 6);
        }
        assertRecovers(s, ids.subList(0, 19));

        // Reopened, the stream ended failed; now garble a byte inside its done record.
        Path done = lastSegment(s);
        try (FileChannel ch = FileChannel.open(done, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x55}), Files.size(done) - 3);
        }
        try (DiskStreamPublisher p = open()) {
            // The garbled done record is dropped; its stream's info said finished, so the
            // stream is still finished, and serves the 19 whole events.
            RecordingSubscriber r = new RecordingSubscriber();
            p.subscribe(s, null, r);
            assertTrue(r.await(x -> x.events().size() >= 19, TIMEOUT), r.toString());
            assertEquals(ids.subList(0, 19), r.events().subList(0, 19).stream().map(PublishedEvent::id).toList());
        }
    }

    private void assertRecovers(StreamId s, List<String> whole) {
        try (DiskStreamPublisher p = open()) {
            RecordingSubscriber r = new RecordingSubscriber();
            p.subscribe(s, null, r);
            r.awaitDone(TIMEOUT);
            List<PublishedEvent> got = r.events();
            assertEquals(whole, got.subList(0, whole.size()).stream().map(PublishedEvent::id).toList());
            assertEquals(whole.size() + 1, got.size(), "the whole events, then done: " + r);
            assertEquals(StreamStatus.FAILED, ((StreamEvent.Done) got.get(got.size() - 1).event()).status());
        }
    }

    @Test
    void aStreamsHistoryIsHeldToItsLimitAndTheBudgetTakesFinishedStreamsFirst() {
        HistoryLimits limits = new HistoryLimits(64 * 1024, 200 * 1024, Duration.ofHours(1));
        String kib = "k".repeat(1023) + "\n";
        try (DiskStreamPublisher p = DiskStreamPublisher.builder().directory(dir).limits(limits).build()) {
            StreamId big = StreamId.random();
            p.open(StreamInfo.started(big, PROJECT, START));
            for (int i = 0; i < 500; i++) {
                p.append(big, StreamEvent.Output.stdout(kib));
            }
            assertTrue(bytesOnDisk(big) <= 64 * 1024 + 1024, "held to its limit: " + bytesOnDisk(big));
            p.complete(big, new StreamEvent.Done(0, 1, StreamStatus.EXITED, null));
            List<StreamId> later = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                StreamId s = StreamId.random();
                later.add(s);
                p.open(StreamInfo.started(s, PROJECT, START.plusSeconds(n + 1)));
                for (int i = 0; i < 50; i++) {
                    p.append(s, StreamEvent.Output.stdout(kib));
                }
                p.complete(s, new StreamEvent.Done(0, 1, StreamStatus.EXITED, null));
            }
            assertTrue(p.diskBytes() <= limits.historyBudgetBytes(), "within the budget: " + p.diskBytes());
            // The first stream to finish gave up its output, keeping how it ended.
            RecordingSubscriber r = new RecordingSubscriber();
            p.subscribe(big, null, r);
            r.awaitDone(TIMEOUT);
            assertTrue(r.outputs().isEmpty() && r.gap().isPresent(), r.toString());
            RecordingSubscriber last = new RecordingSubscriber();
            p.subscribe(later.get(2), null, last);
            last.awaitDone(TIMEOUT);
            assertEquals(50, last.outputs().size());
        }
    }

    @Test
    void aSecondPublisherOnTheSameDirectoryIsRefused() {
        try (DiskStreamPublisher p = open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, this::open);
            assertTrue(e.getMessage().contains("directory of its own"), e.getMessage());
        }
        open().close();
    }

    private long bytesOnDisk(StreamId s) {
        try (Stream<Path> files = Files.list(dir.resolve("streams").resolve(s.value()))) {
            return files.filter(f -> f.toString().endsWith(".seg")).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private Path lastSegment(StreamId s) throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("streams").resolve(s.value()))) {
            return files.filter(f -> f.toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }
}
