package io.execstream.adapters.redis;

import io.execstream.testkit.RedisServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.ProjectId;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.ports.PublishedEvent;
import io.execstream.testkit.RecordingSubscriber;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Redis that goes away and comes back (with its append-only file) mid-stream. */
class RedisOutageTest {
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private RedisServer server;
    private final List<RedisStreamPublisher> nodes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        nodes.forEach(RedisStreamPublisher::close);
        if (server != null) {
            server.close();
        }
    }

    private RedisStreamPublisher node(String id) {
        RedisStreamPublisher p = RedisStreamPublisher.builder().redisUri(server.uri()).keyPrefix("outage:")
                .nodeId(id).nodeLease(Duration.ofSeconds(30)).outageBuffer(1000, 1 << 20).build();
        nodes.add(p);
        return p;
    }

    @Test
    void aRedisRestartMidStreamLosesNoEventAndKeepsIdsContiguous() {
        server = RedisServer.start(dir, true);
        RedisStreamPublisher a = node("a");
        RedisStreamPublisher b = node("b");
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, ProjectId.of("alpha"), Instant.now()));
        RecordingSubscriber onB = new RecordingSubscriber();
        b.subscribe(s, null, onB);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(a.append(s, StreamEvent.Output.stdout("before " + i + "\n")));
        }
        onB.awaitEvents(50, TIMEOUT);

        server.stop();
        // The writer neither throws nor stalls while Redis is away.
        for (int i = 0; i < 50; i++) {
            ids.add(a.append(s, StreamEvent.Output.stdout("during " + i + "\n")));
        }
        assertThrows(IllegalStateException.class, () -> b.find(s), "lookups say Redis is unavailable");
        server.restart();
        for (int i = 0; i < 50; i++) {
            ids.add(a.append(s, StreamEvent.Output.stdout("after " + i + "\n")));
        }
        String doneId = a.complete(s, new StreamEvent.Done(0, 5, StreamStatus.EXITED, null));
        ids.add(doneId);

        onB.awaitDone(TIMEOUT);
        onB.assertWellBehaved();
        assertTrue(onB.gap().isEmpty());
        assertEquals(ids, onB.events().stream().map(PublishedEvent::id).toList());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals((i + 1) + "-0", ids.get(i), "ids are the contiguous numbers of the events");
        }
        List<String> outputs = onB.outputs();
        assertEquals("during 0\n", outputs.get(50));
        assertEquals("after 49\n", outputs.get(149));

        // A subscriber on the other node resumes after an id from the outage.
        RecordingSubscriber resumed = new RecordingSubscriber();
        b.subscribe(s, ids.get(74), resumed);
        resumed.awaitDone(TIMEOUT);
        assertEquals(ids.subList(75, ids.size()), resumed.events().stream().map(PublishedEvent::id).toList());
        assertEquals(StreamStatus.EXITED, b.find(s).orElseThrow().status());
        assertEquals(doneId, b.find(s).orElseThrow().doneEventId());
    }

    @Test
    void aRedisRestartWhileAStreamIsCompletedStillRecordsItsEnd() {
        server = RedisServer.start(dir, true);
        RedisStreamPublisher a = node("a");
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, ProjectId.of("alpha"), Instant.now()));
        a.append(s, StreamEvent.Output.stdout("x\n"));
        server.stop();
        String doneId = a.complete(s, new StreamEvent.Done(1, 5, StreamStatus.EXITED, null));
        server.restart();
        RedisNodesTest.eventually("the buffered done is written", () -> {
            try {
                return a.find(s).map(StreamInfo::doneEventId).filter(doneId::equals).isPresent();
            } catch (IllegalStateException e) {
                return false;
            }
        });
        assertEquals("2-0", doneId);
    }

    @Test
    void anOverflowingOutageBufferDropsTheOldestOutputAndReadersSeeAGap() {
        server = RedisServer.start(dir, true);
        RedisStreamPublisher a = node("a"); // buffers at most 1000 events
        RedisStreamPublisher b = node("b");
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, ProjectId.of("alpha"), Instant.now()));
        a.append(s, StreamEvent.Output.stdout("first\n"));
        RecordingSubscriber onB = new RecordingSubscriber();
        b.subscribe(s, null, onB);
        onB.awaitEvents(1, TIMEOUT);
        server.stop();
        for (int i = 0; i < 1500; i++) {
            a.append(s, StreamEvent.Output.stdout("during " + i + "\n"));
        }
        String doneId = a.complete(s, new StreamEvent.Done(0, 5, StreamStatus.EXITED, null));
        // 1501 events for 1000 places: the 501 oldest outputs go, never the done.
        assertEquals(501, a.droppedEvents());
        server.restart();

        // The live subscriber cannot be told of a hole in the middle: it is closed, and resumes.
        onB.awaitClosed(TIMEOUT);
        RecordingSubscriber resumed = new RecordingSubscriber();
        RedisNodesTest.eventually("the done is written", () -> b.find(s).map(StreamInfo::isFinished).orElse(false));
        b.subscribe(s, onB.lastEvent().orElseThrow().id(), resumed);
        PublishedEvent done = resumed.awaitDone(TIMEOUT);
        assertEquals(doneId, done.id());
        assertEquals(501, resumed.gap().orElseThrow(), "exactly the dropped events are missed");
        assertEquals(999, resumed.outputs().size());
        assertEquals("during 501\n", resumed.outputs().get(0));
        resumed.assertWellBehaved();
    }
}
