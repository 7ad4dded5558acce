package io.execstream.adapters.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.execstream.domain.AgentTurn;
import io.execstream.domain.Interaction;
import io.execstream.domain.ProjectId;
import io.execstream.domain.SessionState;
import io.execstream.domain.StreamEvent;
import io.execstream.domain.StreamId;
import io.execstream.domain.StreamInfo;
import io.execstream.domain.StreamStatus;
import io.execstream.domain.UnavailableException;
import io.execstream.ports.PublishedEvent;
import io.execstream.ports.StreamControl;
import io.execstream.testkit.RecordingSubscriber;
import io.execstream.testkit.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
        assertThrows(UnavailableException.class, () -> b.find(s), "lookups say Redis is unavailable");
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
            } catch (UnavailableException e) {
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
    @Test
    void aRedisRestartMidSequenceLosesAndRepeatsNoControlRequest() throws Exception {
        server = RedisServer.start(dir, true);
        RedisStreamPublisher a = node("a");
        RedisStreamPublisher b = node("b");
        StreamId s = RedisNodesFixture.openOn(a);
        List<StreamControl> onA = new CopyOnWriteArrayList<>();
        a.cancelRelay().onControlRequest((stream, c) -> onA.add(c));
        List<StreamControl> sent = RedisControlRelayTest.controls(300);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            for (StreamControl c : sent) {
                b.cancelRelay().requestControl(s, c);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        });
        RedisNodesTest.eventually("the first requests are handled", () -> onA.size() >= 50);
        assertTrue(!sending.isDone(), "the restart comes mid-sequence");
        server.restart();
        sending.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        RedisNodesTest.eventually("all 300 requests are handled", () -> onA.size() >= 300);
        assertEquals(sent, onA);
    }

    @Test
    void aSessionStateSetWhileRedisIsAwayIsWrittenAfterTheEventsBeforeIt() {
        server = RedisServer.start(dir, true);
        RedisStreamPublisher a = node("a");
        StreamId s = StreamId.random();
        a.open(StreamInfo.started(s, ProjectId.of("alpha"), Instant.now(), Interaction.SESSION));
        server.stop();
        a.append(s, new StreamEvent.Message("hello", 1, false));
        a.updateSession(s, new SessionState(SessionState.Activity.WORKING, 0, null));
        a.append(s, new StreamEvent.Turn(new AgentTurn(1, "success", false, 0.5, 0.5, null, null)));
        SessionState idle = new SessionState(SessionState.Activity.IDLE, 1, 0.5);
        a.updateSession(s, idle);
        server.restart();
        RedisNodesTest.eventually("the buffered state is written", () -> {
            try {
                return a.find(s).map(StreamInfo::session).filter(idle::equals).isPresent();
            } catch (UnavailableException e) {
                return false;
            }
        });
        RecordingSubscriber r = new RecordingSubscriber();
        a.subscribe(s, null, r);
        r.awaitEvents(2, TIMEOUT);
        assertEquals(new StreamEvent.Message("hello", 1, false), r.events().get(0).event());
        assertEquals(Interaction.SESSION, a.find(s).orElseThrow().interaction());
    }
}
